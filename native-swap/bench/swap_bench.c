/*
 * swap_bench.c - cost of the raw context switch (coio_swap, built from the same assembly as the
 * library) in a ping-pong between main and one context, and of its parts: the same loop with a
 * plain function call instead of a switch, STMXCSR alone (the one expensive instruction of
 * the switch on some CPUs, AMD Zen among them), and - for attribution only - the same switch
 * with the MXCSR save/restore lines deleted (native.sh bench derives that copy of the assembly
 * with sed; it is not ABI-correct and never shipped).
 *
 *   usage: swap_bench [iterations]     prints "<case> <ns>" lines; best of 5 runs each
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "coio_ctx.h"

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* the sed-derived variant without MXCSR handling (same frame layout) */
void *coio_swap_nomxcsr(void **save_sp, void *next_sp, void *value);

static void *main_sp, *co_sp;

static void echo_entry(void *arg, void *value) {
    (void)arg;
    for (;;) /* hand every value straight back */
        value = coio_swap(&co_sp, main_sp, value);
}

static void echo_entry_nomxcsr(void *arg, void *value) {
    (void)arg;
    for (;;)
        value = coio_swap_nomxcsr(&co_sp, main_sp, value);
}

__attribute__((noinline)) static void *plain_call(void **save, void *next, void *value) {
    __asm__ volatile("" : : "r"(save), "r"(next) : "memory");
    return value;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000000;
    static char stack[64 * 1024] __attribute__((aligned(16)));
    uint32_t mxcsr;
    uint16_t x87cw;
    coio_fp_control_get(&mxcsr, &x87cw);
    co_sp = coio_frame_init(stack + sizeof(stack), echo_entry, NULL, mxcsr, x87cw);

    double best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (coio_swap(&main_sp, co_sp, (void *)i) != (void *)i)
                abort();
        double ns = (now_ns() - t0) / (2.0 * n); /* two switches per iteration */
        if (ns < best)
            best = ns;
    }
    printf("raw coio_swap ping-pong                  %6.2f ns/switch\n", best);

    co_sp = coio_frame_init(stack + sizeof(stack), echo_entry_nomxcsr, NULL, mxcsr, x87cw);
    best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (coio_swap_nomxcsr(&main_sp, co_sp, (void *)i) != (void *)i)
                abort();
        double ns = (now_ns() - t0) / (2.0 * n);
        if (ns < best)
            best = ns;
    }
    printf("  (the same without MXCSR save/restore   %6.2f ns/switch: attribution only)\n", best);

    best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (plain_call(&main_sp, co_sp, (void *)i) != (void *)i)
                abort();
        double ns = (now_ns() - t0) / n;
        if (ns < best)
            best = ns;
    }
    printf("  (a plain call+return, for scale        %6.2f ns)\n", best);

    best = 1e30;
    for (int run = 0; run < 5; run++) {
        uint32_t v;
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            __asm__ volatile("stmxcsr %0" : "=m"(v));
        double ns = (now_ns() - t0) / n;
        if (ns < best)
            best = ns;
    }
    printf("  (stmxcsr alone, one per switch         %6.2f ns)\n", best);
    return 0;
}
