/* test_guard.c - running off the end of a coroutine stack hits the PROT_NONE guard page and
 * kills the process with SIGSEGV instead of silently overwriting neighbouring memory. Each
 * overflow happens in a forked child; the parent checks how it died. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "co_routine.h"
#include "test.h"

#define STACK_SIZE (64 * 1024)

/* Recurses until its frames reach `limit`, one kilobyte into the page below the stack: with the
 * guard page in place that touch faults; without it, the recursion returns normally. Bounded on
 * purpose, so a missing guard shows up as "survived" rather than as a crash further down. */
static int recurse(const char *limit, int depth) {
    volatile char frame[256];
    memset((char *)frame, depth & 0xff, sizeof(frame));
    if ((const char *)frame <= limit)
        return frame[0];
    return recurse(limit, depth + 1) + frame[1]; /* no tail call */
}

static void *overflow(void *arg) {
    (void)arg;
    char probe;
    /* The stack's top is the page boundary just above our first frame. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t top = ((uintptr_t)&probe + page - 1) & ~(page - 1);
    recurse((const char *)(top - STACK_SIZE - 1024), 0);
    return NULL;
}

static void run_child(int shared) {
    struct rlimit no_core = {0, 0}; /* an expected crash: leave no core file behind */
    setrlimit(RLIMIT_CORE, &no_core);
    prctl(PR_SET_DUMPABLE, 0);      /* nor a report from a piped core handler */
    stCoRoutineAttr_t attr = CO_ROUTINE_ATTR_INIT;
    attr.stack_size = STACK_SIZE;
    if (shared)
        attr.share_stack = co_alloc_sharestack(1, STACK_SIZE);
    stCoRoutine_t *co;
    if (co_create(&co, &attr, overflow, NULL) != 0)
        _exit(3);
    co_resume(co);
    _exit(0); /* reaching here means the overflow went unnoticed */
}

static void expect_segv(int shared) {
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        run_child(shared);
    int status;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGSEGV);
}

int main(void) {
    expect_segv(0);
    PASS("private stack overflow faults on the guard page");
    expect_segv(1);
    PASS("shared stack overflow faults on the guard page");
    return 0;
}
