/* test_many.c - 10,000 coroutines with private (guarded) stacks, resumed round-robin: every one
 * sees its own locals and the order of resumes is exactly the order of the loop. */
#include <stdint.h>

#include "co_routine.h"
#include "test.h"

#define COUNT 10000
#define ROUNDS 20

static int order[COUNT * ROUNDS];
static int norder;

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    int mine = id * 7; /* a local that must survive every switch */
    for (int r = 0; r < ROUNDS; r++) {
        CHECK_EQ(mine, id * 7 + r);
        order[norder++] = id;
        mine++;
        co_yield_ct();
    }
    return NULL;
}

int main(void) {
    static stCoRoutine_t *cos[COUNT];
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.stack_size = 16 * 1024;
    for (int i = 0; i < COUNT; i++)
        CHECK_EQ(co_create(&cos[i], &attr, worker, (void *)(intptr_t)i), 0);
    for (int r = 0; r <= ROUNDS; r++) /* the last round lets them finish */
        for (int i = 0; i < COUNT; i++)
            co_resume(cos[i]);
    CHECK_EQ(norder, COUNT * ROUNDS);
    for (int k = 0; k < norder; k++)
        CHECK_EQ(order[k], k % COUNT);
    for (int i = 0; i < COUNT; i++)
        co_release(cos[i]);
    PASS("10,000 coroutines round-robin");
    return 0;
}
