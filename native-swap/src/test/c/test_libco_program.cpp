// test_libco_program.cpp - a program written the way libco programs are (its examples and
// users): only libco's header and core API, C++, default-constructed attributes, shared stacks,
// co_self, co_yield(co_self()), specifics. It must compile and run unchanged against coio.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "co_routine.h"
#include "co_routine_specific.h"

#define EXPECT(cond)                                                                   \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: expectation failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

struct Task {
    int id;
    std::string log;  // a C++ object living across switches
    stCoRoutine_t *co;
};

static void *Producer(void *arg) {
    Task *task = (Task *)arg;
    for (int i = 0; i < 3; i++) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%d.%d ", task->id, i);
        task->log += buf;
        EXPECT(co_self() == task->co);
        co_yield(co_self());  // libco style: yield the current coroutine
    }
    return NULL;
}

static pthread_key_t g_key;
static void *Specific(void *arg) {
    long id = (long)arg;
    co_setspecific(g_key, (void *)(id * 10));
    co_yield_ct();
    EXPECT(co_getspecific(g_key) == (void *)(id * 10));  // per coroutine, not per thread
    return NULL;
}

struct RoutineData {
    int value;
};
CO_ROUTINE_SPECIFIC(RoutineData, g_data)  // libco's per-coroutine globals

static void *UsesSpecificMacro(void *arg) {
    g_data->value = (int)(long)arg;
    co_yield_ct();
    EXPECT(g_data->value == (int)(long)arg);
    return NULL;
}

static void *Stack(void *arg) {
    int *out = (int *)arg;
    char sBuff[128];  // the locals that libco's example_copystack prints
    snprintf(sBuff, sizeof(sBuff), "stack addr %p", (void *)sBuff);
    co_yield_ct();
    *out = strncmp(sBuff, "stack addr ", 11) == 0;
    return NULL;
}

int main() {
    // 1. private stacks, attr as libco programs set it up
    stCoRoutineAttr_t attr;
    EXPECT(attr.stack_size == 128 * 1024 && attr.share_stack == NULL);
    attr.stack_size = 64 * 1024;
    std::vector<Task> tasks(3);
    for (int i = 0; i < 3; i++) {
        tasks[i].id = i;
        EXPECT(co_create(&tasks[i].co, &attr, Producer, &tasks[i]) == 0);
    }
    for (int round = 0; round < 4; round++)
        for (int i = 0; i < 3; i++) co_resume(tasks[i].co);
    for (int i = 0; i < 3; i++) {
        char want[64];
        snprintf(want, sizeof(want), "%d.0 %d.1 %d.2 ", i, i, i);
        EXPECT(tasks[i].log == want);
        co_release(tasks[i].co);
    }

    // 2. shared stacks, as libco's example_copystack
    stShareStack_t *share_stack = co_alloc_sharestack(1, 1024 * 128);
    stCoRoutineAttr_t shared_attr;
    shared_attr.stack_size = 0;
    shared_attr.share_stack = share_stack;
    stCoRoutine_t *co[2];
    int ok[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        co_create(&co[i], &shared_attr, Stack, &ok[i]);
        co_resume(co[i]);
    }
    for (int i = 0; i < 2; i++) co_resume(co[i]);
    EXPECT(ok[0] == 1 && ok[1] == 1);
    for (int i = 0; i < 2; i++) co_release(co[i]);

    // 3. coroutine specifics
    pthread_key_create(&g_key, NULL);
    stCoRoutine_t *s[2];
    for (long i = 0; i < 2; i++) {
        co_create(&s[i], NULL, Specific, (void *)(i + 1));
        co_resume(s[i]);
    }
    co_setspecific(g_key, (void *)7);  // outside coroutines: the thread's value
    for (int i = 0; i < 2; i++) co_resume(s[i]);
    EXPECT(co_getspecific(g_key) == (void *)7);
    for (int i = 0; i < 2; i++) co_release(s[i]);

    stCoRoutine_t *m[2];
    for (long i = 0; i < 2; i++) {
        co_create(&m[i], NULL, UsesSpecificMacro, (void *)(i + 40));
        co_resume(m[i]);
    }
    g_data->value = 1;  // main's own instance
    for (int i = 0; i < 2; i++) co_resume(m[i]);
    EXPECT(g_data->value == 1);
    for (int i = 0; i < 2; i++) co_release(m[i]);

    // 4. NULL attr and co_reset, as in libco
    stCoRoutine_t *again;
    co_create(&again, NULL, Producer, &tasks[0]);
    tasks[0].co = again;
    tasks[0].log.clear();
    co_resume(again);
    co_reset(again);
    co_resume(again);
    EXPECT(tasks[0].log == "0.0 0.0 ");
    co_release(again);

    printf("libco-style program: ok\n");
    return 0;
}
