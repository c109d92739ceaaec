/* test_shared.c - shared ("copy") stacks: locals of coroutines that take turns on the same
 * stack survive any interleaving, nesting between coroutines of one stack works, 100,000
 * coroutines fit in little memory, and releases are safe in any order. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "coio_swap.h"
#include "test.h"

/* Fills a local array with a pattern of its own, yields, and checks it after every switch. */
static void *pattern_keeper(void *arg) {
    int id = (int)(intptr_t)arg;
    volatile unsigned char buf[1000 + 37 * (id % 50)]; /* different depths per coroutine */
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(id * 31 + i);
    for (int round = 0; round < 10; round++) {
        coio_yield((void *)(intptr_t)round);
        for (size_t i = 0; i < sizeof(buf); i++)
            CHECK_EQ(buf[i], (unsigned char)(id * 31 + i));
    }
    return (void *)(intptr_t)id;
}

static void test_interleaving(void) {
    enum { N = 200 };
    stShareStack_t *share = co_alloc_sharestack(3, 64 * 1024);
    CHECK(share != NULL);
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.share_stack = share;
    attr.stack_size = 4096; /* ignored: the shared stack's size applies */
    stCoRoutine_t *cos[N];
    int rounds[N];
    for (int i = 0; i < N; i++) {
        CHECK_EQ(co_create(&cos[i], &attr, pattern_keeper, (void *)(intptr_t)i), 0);
        rounds[i] = 0;
    }
    unsigned seed = 12345;
    int finished = 0;
    while (finished < N) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % N);
        if (coio_state(cos[i]) == COIO_STATE_FINISHED)
            continue;
        coio_transfer t = {0, 0, 0};
        int kind = coio_resume(cos[i], &t);
        if (rounds[i] < 10) {
            CHECK_EQ(kind, COIO_YIELDED);
            CHECK_EQ((intptr_t)t.value, rounds[i]);
        } else {
            CHECK_EQ(kind, COIO_FINISHED);
            CHECK_EQ((intptr_t)t.value, i);
            finished++;
        }
        rounds[i]++;
    }
    for (int i = 0; i < N; i++)
        co_release(cos[i]);
    co_release_sharestack(share);
    PASS("shared-stack locals survive random interleaving");
}

/* Two coroutines on the same (single) shared stack resuming each other's partner. */
static stCoRoutine_t *outer, *inner;

static void *inner_fn(void *arg) {
    (void)arg;
    volatile int mark = 0x1234;
    coio_yield((void *)1);
    CHECK_EQ(mark, 0x1234);
    return (void *)2;
}

static void *outer_fn(void *arg) {
    (void)arg;
    volatile char mine[3000];
    memset((char *)mine, 0x5a, sizeof(mine));
    coio_transfer t = {0, 0, 0};
    CHECK_EQ(coio_resume(inner, &t), COIO_YIELDED); /* inner takes over outer's stack */
    CHECK_EQ((intptr_t)t.value, 1);
    for (size_t i = 0; i < sizeof(mine); i++)
        CHECK_EQ(mine[i], 0x5a);
    co_yield_ct(); /* to main; inner stays suspended on the same stack */
    CHECK_EQ(coio_resume(inner, &t), COIO_FINISHED);
    CHECK_EQ((intptr_t)t.value, 2);
    for (size_t i = 0; i < sizeof(mine); i++)
        CHECK_EQ(mine[i], 0x5a);
    return NULL;
}

static void test_nested_same_stack(void) {
    stShareStack_t *share = co_alloc_sharestack(1, 32 * 1024);
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.share_stack = share;
    CHECK_EQ(co_create(&outer, &attr, outer_fn, NULL), 0);
    CHECK_EQ(co_create(&inner, &attr, inner_fn, NULL), 0);
    co_resume(outer);
    co_resume(outer);
    CHECK_EQ(coio_state(outer), COIO_STATE_FINISHED);
    co_release_sharestack(share); /* deferred: two coroutines still bound */
    co_release(inner);
    co_release(outer); /* last one: the shared stack goes too */
    PASS("nested resume between coroutines of one shared stack");
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kib;
}

static long total;
static void *small(void *arg) {
    volatile long x = (long)(intptr_t)arg;
    co_yield_ct();
    total += x;
    return NULL;
}

static void test_100k(void) {
    enum { N = 100000 };
    static stCoRoutine_t *cos[N];
    long before = rss_kib();
    stShareStack_t *share = co_alloc_sharestack(4, 128 * 1024);
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.share_stack = share;
    for (int i = 0; i < N; i++) {
        CHECK_EQ(co_create(&cos[i], &attr, small, (void *)(intptr_t)i), 0);
        co_resume(cos[i]); /* all 100,000 suspended at once */
    }
    long during = rss_kib();
    for (int i = 0; i < N; i++)
        co_resume(cos[i]);
    CHECK_EQ(total, (long)N * (N - 1) / 2);
    for (int i = 0; i < N; i++)
        co_release(cos[i]);
    co_release_sharestack(share);
    long per_co = (during - before) * 1024 / N;
    printf("100,000 suspended coroutines on 4 shared stacks: %ld KiB resident, ~%ld bytes each\n",
           during - before, per_co);
    CHECK(per_co < 1024); /* a private 128 KiB stack each would be 12.8 GiB of address space */
    PASS("100,000 coroutines on shared stacks");
}

static void test_errors(void) {
    errno = 0;
    CHECK(co_alloc_sharestack(0, 4096) == NULL);
    CHECK_EQ(errno, EINVAL);
    stShareStack_t *share = co_alloc_sharestack(2, 0); /* <= 0: 128 KiB */
    CHECK(share != NULL);
    co_release_sharestack(share);
    co_release_sharestack(NULL);
    PASS("shared-stack argument errors");
}

int main(void) {
    test_interleaving();
    test_nested_same_stack();
    test_100k();
    test_errors();
    return 0;
}
