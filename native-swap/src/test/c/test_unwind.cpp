// test_unwind.cpp - unwinding works on coroutine stacks and ends cleanly at the entry
// trampoline: C++ exceptions thrown and caught inside a coroutine, glibc backtrace() from deep
// inside one, and (when gdb is installed and allowed to trace) a debugger's backtrace.
#include <dlfcn.h>
#include <execinfo.h>
#include <stdexcept>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co_routine.h"
#include "test.h"

static int frames_seen;
static bool last_frame_in_library;

__attribute__((noinline)) static int thrower(int depth) {
    if (depth == 0) throw std::runtime_error("from deep inside a coroutine");
    return thrower(depth - 1) + 1;
}

// The function gdb stops in (see gdb_mode); noinline keeps it a real frame.
extern "C" __attribute__((noinline)) void deep_in_coroutine(int depth) {
    if (depth > 0) {
        deep_in_coroutine(depth - 1);
        __asm__ volatile("" ::: "memory");  // no tail call
        return;
    }
    void *frames[64];
    frames_seen = backtrace(frames, 64);
    Dl_info info;
    last_frame_in_library = dladdr(frames[frames_seen - 1], &info) != 0 &&
                            info.dli_fname != NULL && strstr(info.dli_fname, "libcoio_swap.so");
}

static void *routine(void *) {
    int caught = 0;
    for (int i = 0; i < 3; i++) {
        try {
            thrower(5);
        } catch (const std::runtime_error &e) {
            caught += strcmp(e.what(), "from deep inside a coroutine") == 0;
        }
        co_yield_ct();  // the exception machinery must keep working across switches
    }
    CHECK_EQ(caught, 3);
    deep_in_coroutine(3);
    return NULL;
}

static void run_coroutine() {
    stCoRoutine_t *co;
    CHECK_EQ(co_create(&co, NULL, routine, NULL), 0);
    for (int i = 0; i < 4; i++) co_resume(co);
    co_release(co);
}

// gdb's view: break in deep_in_coroutine, print the backtrace, which must end at the
// trampoline without complaints about corrupt or inner frames.
static void check_gdb(const char *self) {
    if (system("command -v gdb >/dev/null 2>&1") != 0) {
        printf("gdb backtrace: skipped (gdb not installed)\n");
        return;
    }
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "gdb -nx -batch -ex 'set debuginfod enabled off' -ex 'break deep_in_coroutine if depth == 0'"
             " -ex run -ex bt -ex kill --args '%s' --gdb-target 2>&1", self);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    static char out[65536];
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = 0;
    pclose(p);
    if (strstr(out, "ptrace") != NULL || strstr(out, "Operation not permitted") != NULL ||
        strstr(out, "Breakpoint 1,") == NULL) {
        printf("gdb backtrace: skipped (gdb cannot trace here)\n%s\n", out);
        return;
    }
    const char *bt = strstr(out, "#0 ");
    CHECK(bt != NULL);
    bool ends_at_trampoline = strstr(bt, "coio_trampoline") != NULL;
    bool complained = strstr(bt, "Backtrace stopped") != NULL || strstr(bt, "corrupt") != NULL;
    if (!ends_at_trampoline || complained) fprintf(stderr, "gdb said:\n%s\n", out);
    CHECK(ends_at_trampoline);
    CHECK(!complained);
    CHECK(strstr(bt, " main (") == NULL);  // nothing beyond the coroutine's own frames
    printf("gdb backtrace: ends at coio_trampoline\n");
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--gdb-target") == 0) {
        run_coroutine();
        return 0;
    }
    run_coroutine();
    // deep_in_coroutine x4, routine, co_entry, coio_trampoline: then the unwinder stops.
    printf("backtrace() from inside a coroutine: %d frames\n", frames_seen);
    CHECK(frames_seen >= 7 && frames_seen <= 9);
    CHECK(last_frame_in_library);
    PASS("C++ exceptions and backtrace() inside coroutines");
    check_gdb(argv[0]);
    return 0;
}
