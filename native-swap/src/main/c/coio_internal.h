/*
 * coio_internal.h - data structures shared by the C files of libcoio_swap. Not installed.
 *
 * Coroutine state machine (field `state`; only the thread running the coroutine's resume chain
 * touches it):
 *
 *   CREATED   -> RUNNING    // co_resume / coio_resume: first frame built, switched in
 *   SUSPENDED -> RUNNING    // co_resume / coio_resume
 *   RUNNING   -> SUSPENDED  // co_yield_ct / co_yield / coio_yield / coio_wait_fd
 *   RUNNING   -> FINISHED   // routine returned (co_entry)
 *   SUSPENDED -> CREATED    // co_reset (frames abandoned)
 *   FINISHED  -> CREATED    // co_reset
 *
 * RUNNING covers the coroutine executing and every coroutine below it on the resume chain
 * (each `resumer` link points one step down the chain; the thread's main coroutine ends it).
 */
#ifndef COIO_INTERNAL_H
#define COIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "coio_swap.h"

/* One mmap'ed stack: [map, map + guard) is PROT_NONE, [lo, hi) is usable. */
struct coio_stack {
    char *map;
    size_t map_size;
    char *lo;
    char *hi;
};

/* One stack of a shared-stack set, and whose frames currently live in it. */
struct coio_shared_mem {
    struct coio_stack stack;
    stCoRoutine_t *occupant; /* NULL: nobody's (or only a finished coroutine's) */
};

struct stShareStack_t {
    unsigned next;       /* round-robin cursor for binding new coroutines */
    int count;
    int stack_size;
    int bound;           /* coroutines bound to it; co_release_sharestack waits for 0 */
    int release_pending;
    struct coio_shared_mem mem[]; /* count entries */
};

/* A coroutine. Not thread-safe: only the thread currently running its resume chain (or, while
 * it is suspended, whichever single thread resumes it next) may touch it. */
struct stCoRoutine_t {
    void *sp;                   /* saved stack pointer while not executing (coio_ctx.h frame) */
    stCoRoutine_t *resumer;     /* next one down the resume chain while RUNNING, else NULL */
    uint8_t state;              /* COIO_STATE_* */
    uint8_t is_main;            /* the env's own coroutine: the thread's original stack */
    uint8_t release_pending;    /* co_release while RUNNING: freed when it suspends */
    uint8_t report;             /* its resumer called coio_resume: fill resumer->got_* */
    uint8_t hooks;              /* coio_call_routine runs in it: hooked libc calls suspend */
    int32_t wait_fd;            /* COIO_WAIT_FD request */
    int32_t wait_events;
    void *got_value;            /* as a resumer: what the coroutine it resumed came back with */
    int32_t got_fd;             /*   (kept here, off-stack: the resumer's own stack may be a */
    int32_t got_events;         /*   shared one that is swapped out while the other runs) */

    pfn_co_routine_t routine;
    void *arg;
    uint32_t mxcsr;             /* floating-point control state a fresh frame starts with */
    uint16_t x87cw;

    struct coio_stack stack;    /* private stack; stack.map == NULL when on a shared stack */
    stShareStack_t *share;      /* shared stack set, or NULL */
    struct coio_shared_mem *mem;/* the shared stack it is bound to, or NULL */
    char *save_buf;             /* shared stack only: its used bytes while not the occupant */
    size_t save_size;
    size_t save_cap;

    void **spec;                /* co_setspecific values, indexed by key; grown on demand */
    size_t spec_cap;
};

/* Per-thread environment. */
struct coio_env {
    stCoRoutine_t main;         /* stands for the thread's own stack */
    stCoRoutine_t *current;     /* executing coroutine (&main outside coroutines) */
    stCoRoutine_t *helper;      /* switch helper (shared-stack copies, deferred frees); lazy */
};

/* coio_stack.c */
size_t coio_page_size(void);
int coio_stack_map(struct coio_stack *s, size_t usable);
void coio_stack_unmap(struct coio_stack *s);
int coio_save_reserve(stCoRoutine_t *co, size_t bytes);
void coio_share_unbind(stShareStack_t *ss);

/* co_routine.c */
/* The running coroutine if hooked libc calls should suspend in it (coio_call_routine runs in
 * it and its resumer called coio_resume), else NULL. */
stCoRoutine_t *coio_hook_coroutine(void);

void coio_die(const char *msg) __attribute__((noreturn, cold));

#endif /* COIO_INTERNAL_H */
