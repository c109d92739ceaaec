/* test_pingpong.c - the basic promises: values cross every switch, states move as documented,
 * misuse returns -errno or is a documented no-op instead of corrupting memory. */
#include <errno.h>
#include <stdint.h>

#include "coio_swap.h"
#include "test.h"

static int trace[64];
static int ntrace;

static void *counter(void *arg) {
    /* yields arg, arg+1, ... and adds what the resumer sends back */
    intptr_t v = (intptr_t)arg;
    for (int i = 0; i < 5; i++)
        v += (intptr_t)coio_yield((void *)v) ;
    return (void *)(v * 2);
}

static void test_values(void) {
    stCoRoutine_t *co;
    CHECK_EQ(co_create(&co, NULL, counter, (void *)10), 0);
    CHECK_EQ(coio_state(co), COIO_STATE_CREATED);
    coio_transfer t = {(void *)999, 0, 0}; /* the first value has nowhere to go: ignored */
    CHECK_EQ(coio_resume(co, &t), COIO_YIELDED);
    CHECK_EQ((intptr_t)t.value, 10);
    CHECK_EQ(coio_state(co), COIO_STATE_SUSPENDED);
    intptr_t expect = 10;
    for (int i = 0; i < 5; i++) {
        t.value = (void *)(intptr_t)(i + 1);
        expect += i + 1;
        int kind = coio_resume(co, &t);
        if (i < 4) {
            CHECK_EQ(kind, COIO_YIELDED);
            CHECK_EQ((intptr_t)t.value, expect);
        } else {
            CHECK_EQ(kind, COIO_FINISHED);
            CHECK_EQ((intptr_t)t.value, expect * 2);
        }
    }
    CHECK_EQ(coio_state(co), COIO_STATE_FINISHED);
    CHECK_EQ(coio_resume(co, &t), -EINVAL); /* finished */
    co_resume(co);                          /* documented no-op */
    co_release(co);
    PASS("values cross switches in both directions");
}

static stCoRoutine_t *ping_co, *pong_co;

static void *ping_pong(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 3; i++) {
        trace[ntrace++] = id * 10 + i;
        CHECK(co_self() == (id == 1 ? ping_co : pong_co));
        co_yield_ct();
    }
    return NULL;
}

static void test_ping_pong(void) {
    ntrace = 0;
    CHECK_EQ(co_create(&ping_co, NULL, ping_pong, (void *)1), 0);
    CHECK_EQ(co_create(&pong_co, NULL, ping_pong, (void *)2), 0);
    stCoRoutine_t *main_co = co_self();
    CHECK(main_co != NULL); /* after co_create, as in libco */
    for (int i = 0; i < 4; i++) {
        co_resume(ping_co);
        co_resume(pong_co);
        CHECK(co_self() == main_co);
    }
    int expect[] = {10, 20, 11, 21, 12, 22};
    CHECK_EQ(ntrace, 6);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(trace[i], expect[i]);
    CHECK_EQ(coio_state(ping_co), COIO_STATE_FINISHED);
    co_release(ping_co);
    co_release(pong_co);
    PASS("ping-pong between two coroutines and main");
}

static int runs;
static void *count_runs(void *arg) {
    (void)arg;
    runs++;
    co_yield_ct();
    runs += 100;
    return NULL;
}

static void test_reset(void) {
    stCoRoutine_t *co;
    runs = 0;
    CHECK_EQ(co_create(&co, NULL, count_runs, NULL), 0);
    co_reset(co); /* not started: nothing to do */
    co_resume(co);
    CHECK_EQ(runs, 1);
    co_reset(co); /* suspended: start over, old frames abandoned */
    CHECK_EQ(coio_state(co), COIO_STATE_CREATED);
    co_resume(co);
    CHECK_EQ(runs, 2);
    co_resume(co);
    CHECK_EQ(runs, 102);
    CHECK_EQ(coio_state(co), COIO_STATE_FINISHED);
    co_reset(co); /* finished: runs again */
    co_resume(co);
    CHECK_EQ(runs, 103);
    co_release(co);
    PASS("co_reset restarts suspended and finished coroutines");
}

static stCoRoutine_t *self_releasing;
static void *release_self(void *arg) {
    (void)arg;
    co_release(co_self()); /* deferred: freed once it is off its own stack */
    co_yield_ct();
    CHECK(!"a released coroutine must not run again");
    return NULL;
}

static void *busy(void *arg) {
    stCoRoutine_t *me = *(stCoRoutine_t **)arg;
    CHECK_EQ(coio_resume(me, NULL), -EBUSY); /* resuming oneself */
    CHECK_EQ(coio_state(me), COIO_STATE_RUNNING);
    return NULL;
}

static void test_misuse(void) {
    CHECK_EQ(co_create(NULL, NULL, counter, NULL), -EINVAL);
    CHECK_EQ(coio_resume(NULL, NULL), -EINVAL);
    CHECK_EQ(coio_resume(co_self(), NULL), -EINVAL); /* main coroutine */
    CHECK_EQ(coio_state(NULL), -EINVAL);
    co_yield_ct();                 /* outside a coroutine: returns at once */
    CHECK(coio_yield((void *)1) == NULL);
    co_release(NULL);
    co_release(co_self());         /* main: ignored */
    co_reset(NULL);

    stCoRoutine_t *co;
    CHECK_EQ(co_create(&co, NULL, busy, &co), 0);
    CHECK_EQ(coio_resume(co, NULL), COIO_FINISHED);
    co_release(co);

    CHECK_EQ(co_create(&self_releasing, NULL, release_self, NULL), 0);
    co_resume(self_releasing); /* frees it as it yields (ASan/valgrind would see a leak otherwise) */
    PASS("misuse is reported or ignored, never corrupting");
}

static void *with_attr(void *arg) {
    volatile char big[200 * 1024]; /* needs more than the default 128 KiB */
    big[0] = 1;
    big[sizeof(big) - 1] = 2;
    *(int *)arg = big[0] + big[sizeof(big) - 1];
    return NULL;
}

static void test_attr(void) {
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    CHECK_EQ(attr.stack_size, 128 * 1024);
    CHECK(attr.share_stack == NULL);
    attr.stack_size = 256 * 1024 + 1; /* rounded up to pages */
    int out = 0;
    stCoRoutine_t *co;
    CHECK_EQ(co_create(&co, &attr, with_attr, &out), 0);
    co_resume(co);
    CHECK_EQ(out, 3);
    co_release(co);
    attr.stack_size = 64 * 1024 * 1024; /* clamped to 8 MiB, as libco */
    CHECK_EQ(co_create(&co, &attr, with_attr, &out), 0);
    co_release(co);
    attr.stack_size = -5; /* <= 0: default */
    CHECK_EQ(co_create(&co, &attr, NULL, NULL), 0);
    co_resume(co); /* NULL routine: finishes at once, as libco */
    CHECK_EQ(coio_state(co), COIO_STATE_FINISHED);
    co_release(co);
    PASS("attributes: sizes rounded and clamped as libco");
}

int main(void) {
    test_values();
    test_ping_pong();
    test_reset();
    test_misuse();
    test_attr();
    return 0;
}
