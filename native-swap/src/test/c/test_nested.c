/* test_nested.c - a coroutine resuming another: yields unwind the resume chain in order, with
 * no fixed depth limit (libco stops at 128 without checking). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "coio_swap.h"
#include "test.h"

static char log_buf[256];
static size_t log_len;
static void note(const char *s) {
    size_t n = strlen(s);
    CHECK(log_len + n < sizeof(log_buf));
    memcpy(log_buf + log_len, s, n + 1);
    log_len += n;
}

static stCoRoutine_t *a, *b, *c;

static void *run_c(void *arg) {
    (void)arg;
    note("c1 ");
    CHECK_EQ(coio_resume(a, NULL), -EBUSY); /* on the chain: refused */
    CHECK_EQ(coio_resume(b, NULL), -EBUSY);
    co_yield_ct(); /* back to b, not to main */
    note("c2 ");
    return NULL;
}

static void *run_b(void *arg) {
    (void)arg;
    note("b1 ");
    co_resume(c);
    note("b2 ");
    co_yield_ct(); /* back to a */
    note("b3 ");
    co_resume(c); /* c finishes */
    note("b4 ");
    return NULL;
}

static void *run_a(void *arg) {
    (void)arg;
    note("a1 ");
    co_resume(b);
    note("a2 ");
    co_yield_ct(); /* back to main */
    note("a3 ");
    co_resume(b);
    note("a4 ");
    return NULL;
}

static void test_order(void) {
    CHECK_EQ(co_create(&a, NULL, run_a, NULL), 0);
    CHECK_EQ(co_create(&b, NULL, run_b, NULL), 0);
    CHECK_EQ(co_create(&c, NULL, run_c, NULL), 0);
    note("m1 ");
    co_resume(a);
    note("m2 ");
    co_resume(a);
    note("m3");
    CHECK(strcmp(log_buf, "m1 a1 b1 c1 b2 a2 m2 a3 b3 c2 b4 a4 m3") == 0 ||
          (fprintf(stderr, "order: %s\n", log_buf), 0));
    CHECK_EQ(coio_state(a), COIO_STATE_FINISHED);
    CHECK_EQ(coio_state(b), COIO_STATE_FINISHED);
    CHECK_EQ(coio_state(c), COIO_STATE_FINISHED);
    co_release(a);
    co_release(b);
    co_release(c);
    PASS("nested resume order");
}

/* A chain of DEPTH coroutines, each resuming the next: deeper than libco's fixed 128. */
#define DEPTH 2000
static stCoRoutine_t *chain[DEPTH];
static int reached;

static void *link_fn(void *arg) {
    int i = (int)(intptr_t)arg;
    reached = i;
    if (i + 1 < DEPTH) {
        co_resume(chain[i + 1]);
        CHECK(co_self() == chain[i]);
    }
    co_yield_ct();
    return (void *)(intptr_t)i;
}

static void test_depth(void) {
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.stack_size = 8 * 1024;
    for (int i = 0; i < DEPTH; i++)
        CHECK_EQ(co_create(&chain[i], &attr, link_fn, (void *)(intptr_t)i), 0);
    co_resume(chain[0]);
    CHECK_EQ(reached, DEPTH - 1);
    /* the deepest yielded to its resumer, and so on down: only chain[0] came back to main */
    CHECK_EQ(coio_state(chain[0]), COIO_STATE_SUSPENDED);
    CHECK_EQ(coio_state(chain[DEPTH - 1]), COIO_STATE_SUSPENDED);
    for (int i = 0; i < DEPTH; i++) {
        coio_transfer t = {0, 0, 0};
        CHECK_EQ(coio_resume(chain[i], &t), COIO_FINISHED);
        CHECK_EQ((intptr_t)t.value, i);
        co_release(chain[i]);
    }
    PASS("nesting 2000 deep");
}

int main(void) {
    test_order();
    test_depth();
    return 0;
}
