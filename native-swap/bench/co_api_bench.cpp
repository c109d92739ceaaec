// co_api_bench.cpp - cost of libco's core API, written against libco's co_routine.h only, so
// the very same source can be built against coio native-swap or against libco itself.
//
//   usage: co_api_bench [iterations]      prints one "<case> <ns per switch>" line per case
//
// A "switch" is one direction: co_resume into the coroutine, or co_yield_ct out of it; a
// resume+yield round trip is two switches. Each case reports the best of 5 runs.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "co_routine.h"

static double now_ns() {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static volatile long sink;

static void *yield_forever(void *) {
    for (;;) {
        sink = sink + 1;
        co_yield_ct();
    }
    return NULL;
}

// Ping-pong: main resumes one coroutine that yields straight back.
static double ping_pong(long n, stCoRoutineAttr_t *attr) {
    stCoRoutine_t *co;
    co_create(&co, attr, yield_forever, NULL);
    co_resume(co);
    double best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++) co_resume(co);
        double ns = (now_ns() - t0) / (2.0 * n);
        if (ns < best) best = ns;
    }
    co_release(co);
    return best;
}

// Round robin over many coroutines: working set beyond the caches' comfort.
static double round_robin(long n, int count) {
    stCoRoutine_t **cos = (stCoRoutine_t **)calloc(count, sizeof(*cos));
    stCoRoutineAttr_t attr;
    attr.stack_size = 64 * 1024;
    for (int i = 0; i < count; i++) co_create(&cos[i], &attr, yield_forever, NULL);
    long rounds = n / count;
    double best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now_ns();
        for (long r = 0; r < rounds; r++)
            for (int i = 0; i < count; i++) co_resume(cos[i]);
        double ns = (now_ns() - t0) / (2.0 * rounds * count);
        if (ns < best) best = ns;
    }
    for (int i = 0; i < count; i++) co_release(cos[i]);
    free(cos);
    return best;
}

// Two coroutines on one shared stack, resumed alternately: every resume copies stacks.
static double shared_alternating(long n) {
    stShareStack_t *share = co_alloc_sharestack(1, 128 * 1024);
    stCoRoutineAttr_t attr;
    attr.share_stack = share;
    stCoRoutine_t *a, *b;
    co_create(&a, &attr, yield_forever, NULL);
    co_create(&b, &attr, yield_forever, NULL);
    double best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i += 2) {
            co_resume(a);
            co_resume(b);
        }
        double ns = (now_ns() - t0) / (2.0 * n);
        if (ns < best) best = ns;
    }
    co_release(a);
    co_release(b);
    return best;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    stCoRoutineAttr_t attr;
    printf("co_resume/co_yield_ct ping-pong          %6.2f ns/switch\n", ping_pong(n, &attr));
    printf("co_resume/co_yield_ct round-robin x1000  %6.2f ns/switch\n", round_robin(n, 1000));
    printf("shared stack, 2 coroutines alternating   %6.2f ns/switch\n", shared_alternating(n / 10));
    return 0;
}
