/* test_threads.c - every thread has its own coroutine environment: threads switching at the
 * same time do not see each other's coroutines; and a suspended coroutine may be resumed from
 * another thread (its code keeps no thread-local addresses across the switch). */
#include <pthread.h>
#include <stdint.h>

#include "coio_swap.h"
#include "test.h"

#define THREADS 4
#define COS 50
#define ROUNDS 2000

struct worker_state {
    int thread;
    long sum;
};

static void *counting(void *arg) {
    struct worker_state *w = arg;
    stCoRoutine_t *me = co_self();
    for (int r = 0; r < ROUNDS; r++) {
        w->sum += r;
        co_yield_ct();
        CHECK(co_self() == me); /* never another thread's coroutine */
    }
    return NULL;
}

static void *thread_main(void *arg) {
    struct worker_state *w = arg;
    CHECK(co_self() == NULL); /* a fresh thread has no environment yet */
    stCoRoutine_t *cos[COS];
    stShareStack_t *share = co_alloc_sharestack(2, 32 * 1024); /* one per thread */
    for (int i = 0; i < COS; i++) {
        stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
        attr.stack_size = 32 * 1024;
        attr.share_stack = i % 2 ? share : NULL;
        CHECK_EQ(co_create(&cos[i], &attr, counting, w), 0);
    }
    stCoRoutine_t *main_co = co_self();
    for (int r = 0; r <= ROUNDS; r++)
        for (int i = 0; i < COS; i++) {
            co_resume(cos[i]);
            CHECK(co_self() == main_co);
        }
    for (int i = 0; i < COS; i++) {
        CHECK_EQ(coio_state(cos[i]), COIO_STATE_FINISHED);
        co_release(cos[i]);
    }
    co_release_sharestack(share);
    return NULL;
}

static void test_isolation(void) {
    pthread_t t[THREADS];
    struct worker_state w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i].thread = i;
        w[i].sum = 0;
        CHECK_EQ(pthread_create(&t[i], NULL, thread_main, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_join(t[i], NULL), 0);
        CHECK_EQ(w[i].sum, (long)COS * ROUNDS * (ROUNDS - 1) / 2);
    }
    PASS("threads switch concurrently without interfering");
}

/* A coroutine resumed alternately by two threads. */
static void *migrant(void *arg) {
    (void)arg;
    intptr_t sum = 0;
    for (int i = 0; i < 100; i++)
        sum += (intptr_t)coio_yield((void *)sum);
    return (void *)sum;
}

static stCoRoutine_t *wanderer;
static intptr_t step_value;
static int last_kind;

static void *resume_once(void *arg) {
    (void)arg;
    coio_transfer t = {(void *)step_value, 0, 0};
    last_kind = coio_resume(wanderer, &t);
    step_value = (intptr_t)t.value;
    return NULL;
}

static void test_migration(void) {
    CHECK_EQ(co_create(&wanderer, NULL, migrant, NULL), 0);
    intptr_t expect = 0;
    step_value = 0;
    for (int i = 0; i <= 100; i++) {
        pthread_t t;
        intptr_t send = i;
        step_value = send;
        if (i % 2 == 0) {
            CHECK_EQ(pthread_create(&t, NULL, resume_once, NULL), 0);
            CHECK_EQ(pthread_join(t, NULL), 0);
        } else {
            resume_once(NULL);
        }
        if (i > 0)
            expect += send; /* the first resume's value is ignored */
        CHECK_EQ(last_kind, i < 100 ? COIO_YIELDED : COIO_FINISHED);
        CHECK_EQ(step_value, expect);
    }
    co_release(wanderer);
    PASS("a suspended coroutine can be resumed by another thread");
}

int main(void) {
    test_isolation();
    test_migration();
    return 0;
}
