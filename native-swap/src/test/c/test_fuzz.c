/* test_fuzz.c - random switching against a model: nested resumes, yields, finishes, resets and
 * release/re-create, over coroutines on private and shared stacks. Every context checks its own
 * stack bytes after each switch, and the model checks co_self, states, values and resume
 * counts. The seed is fixed (printed); COIO_FUZZ_SEED=<n> replays or explores another one. */
#include <stdint.h>
#include <stdlib.h>

#include "coio_swap.h"
#include "test.h"

#define N 48
#define MAX_DEPTH 40
#define STEPS 300000
#define MAIN_ID (-1)

enum { ACT_YIELD, ACT_FINISH };

static stCoRoutine_t *cos[N];
static stShareStack_t *shares[2];
static int model_state[N]; /* COIO_STATE_* as the model expects it */
static long resumes[N];    /* resumes of the current generation */
static unsigned generation[N];
static int chain[MAX_DEPTH + 1]; /* ids on the resume chain, bottom first (main excluded) */
static int depth;
static long steps_left = STEPS;
static long total_resumes;
static uint64_t rng;

static uint64_t next_rand(void) { /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}

static uint32_t pattern(int id, unsigned gen, unsigned i) {
    return (uint32_t)(id * 2654435761u) ^ (gen * 40503u) ^ (i * 97u);
}

static void create(int id) {
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.stack_size = 32 * 1024;
    if (next_rand() % 3 != 0)
        attr.share_stack = shares[next_rand() % 2];
    extern void *body(void *);
    CHECK_EQ(co_create(&cos[id], &attr, body, (void *)(intptr_t)id), 0);
    model_state[id] = COIO_STATE_CREATED;
    resumes[id] = 0;
    generation[id]++;
}

static int pick(int want_resumable) {
    for (int tries = 0; tries < 4 * N; tries++) {
        int t = (int)(next_rand() % N);
        int st = model_state[t];
        if (st == COIO_STATE_RUNNING)
            continue;
        if (want_resumable && st == COIO_STATE_FINISHED)
            continue;
        return t;
    }
    return -1;
}

static uintptr_t token(int t) { return ((uintptr_t)t << 32) ^ (uintptr_t)resumes[t]; }

/* The decisions of the context `self` until it should yield or finish (main: until the end). */
static int act(int self, volatile uint32_t *pad, unsigned npad, unsigned gen) {
    for (;;) {
        for (unsigned i = 0; i < npad; i++)
            CHECK_EQ(pad[i], pattern(self, gen, i));
        CHECK(co_self() != NULL && (self == MAIN_ID ? coio_state(co_self()) == COIO_STATE_RUNNING
                                                    : co_self() == cos[self]));
        if (steps_left-- <= 0)
            return ACT_YIELD;
        unsigned r = (unsigned)(next_rand() % 100);
        if (r < 45) {
            int t = pick(1);
            if (t < 0 || depth >= MAX_DEPTH)
                continue;
            chain[depth++] = t;
            model_state[t] = COIO_STATE_RUNNING;
            resumes[t]++;
            total_resumes++;
            coio_transfer tr = {(void *)token(t), 0, 0};
            int kind = coio_resume(cos[t], &tr);
            CHECK(kind == COIO_YIELDED || kind == COIO_FINISHED);
            CHECK_EQ(coio_state(cos[t]), model_state[t]);
            CHECK_EQ(kind == COIO_FINISHED, model_state[t] == COIO_STATE_FINISHED);
            if (kind == COIO_FINISHED)
                CHECK_EQ((uintptr_t)tr.value, (uintptr_t)t * 1000 + generation[t]);
            else
                CHECK_EQ((uintptr_t)tr.value, token(t) + 1);
        } else if (r < 75) {
            if (self != MAIN_ID)
                return ACT_YIELD;
        } else if (r < 80) {
            if (self != MAIN_ID)
                return ACT_FINISH;
        } else if (r < 90) {
            int t = pick(0);
            if (t < 0 || model_state[t] == COIO_STATE_CREATED)
                continue;
            co_reset(cos[t]);
            model_state[t] = COIO_STATE_CREATED;
            resumes[t] = 0;
            generation[t]++;
        } else {
            int t = pick(0);
            if (t < 0)
                continue;
            co_release(cos[t]);
            create(t);
        }
    }
}

void *body(void *arg) {
    int id = (int)(intptr_t)arg;
    unsigned gen = generation[id];
    unsigned npad = 4 + (unsigned)(next_rand() % 200);
    volatile uint32_t pad[npad];
    for (unsigned i = 0; i < npad; i++)
        pad[i] = pattern(id, gen, i);
    long mine = 1;
    CHECK_EQ(resumes[id], 1);
    for (;;) {
        int what = act(id, pad, npad, gen);
        CHECK_EQ(chain[depth - 1], id);
        depth--;
        if (what == ACT_FINISH) {
            model_state[id] = COIO_STATE_FINISHED;
            return (void *)((uintptr_t)id * 1000 + gen);
        }
        model_state[id] = COIO_STATE_SUSPENDED;
        uintptr_t expect_back = token(id) + 1;
        void *in = coio_yield((void *)expect_back);
        mine++;
        CHECK_EQ(mine, resumes[id]);
        CHECK_EQ((uintptr_t)in, token(id));
    }
}

int main(void) {
    const char *env = getenv("COIO_FUZZ_SEED");
    uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : 0x5eed2024ull;
    printf("fuzz seed: %llu (COIO_FUZZ_SEED=%llu replays it)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    fflush(stdout);
    rng = seed != 0 ? seed : 1;
    shares[0] = co_alloc_sharestack(3, 64 * 1024);
    shares[1] = co_alloc_sharestack(1, 64 * 1024);
    CHECK(shares[0] != NULL && shares[1] != NULL);
    for (int i = 0; i < N; i++)
        create(i);
    volatile uint32_t pad[16];
    for (unsigned i = 0; i < 16; i++)
        pad[i] = pattern(MAIN_ID, 0, i);
    act(MAIN_ID, pad, 16, 0);
    CHECK_EQ(depth, 0);
    for (int i = 0; i < N; i++)
        co_release(cos[i]);
    co_release_sharestack(shares[0]);
    co_release_sharestack(shares[1]);
    printf("%d steps, %ld resumes (each with a yield or finish back)\n", STEPS, total_resumes);
    PASS("randomized switch fuzz");
    return 0;
}
