/*
 * coio_swap.h - coio extensions to libco's API: values passed across switches, and the bridge
 * that lets native code running in a coroutine wait for a file descriptor by suspending to its
 * resumer (coio's Java side) instead of blocking the thread.
 *
 * All functions return -errno on failure (never set errno), as the Java binding expects.
 */
#ifndef COIO_SWAP_H
#define COIO_SWAP_H

#include <poll.h>

#include "co_routine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a coio_resume returned (its non-negative results). */
enum {
    COIO_FINISHED = 0, /* the routine returned; transfer.value = its return value */
    COIO_YIELDED = 1,  /* co_yield_ct / co_yield (value NULL) or coio_yield(value) */
    COIO_WAIT_FD = 2,  /* coio_wait_fd: transfer.fd / transfer.events say what it waits for */
    COIO_WAIT_POLL = 3 /* coio_poll: transfer.value points to a coio_poll_request */
};

/* Coroutine states, as reported by coio_state. */
enum {
    COIO_STATE_CREATED = 0,   /* not started (or co_reset) */
    COIO_STATE_RUNNING = 1,   /* running, or on the resume chain of the running one */
    COIO_STATE_SUSPENDED = 2, /* yielded; can be resumed */
    COIO_STATE_FINISHED = 3   /* its routine returned */
};

/* The value exchanged by one coio_resume. Layout is part of the Java binding: keep in sync
 * with io.coio.nativeswap.Native. */
typedef struct coio_transfer {
    void *value; /* in: what coio_yield / coio_wait_fd return in the coroutine (ignored by the
                    first resume); out: the yielded value or the routine's result */
    int32_t fd;     /* out, COIO_WAIT_FD: the descriptor */
    int32_t events; /* out, COIO_WAIT_FD: poll(2) events it waits for (POLLIN, POLLOUT...) */
} coio_transfer;

/*
 * co_resume that passes transfer->value in and reports how co came back: COIO_FINISHED,
 * COIO_YIELDED or COIO_WAIT_FD (transfer filled in), or -EINVAL (co NULL, finished or the main
 * coroutine), -EBUSY (co is running / on the resume chain), -ENOMEM (shared-stack bookkeeping).
 * transfer may be NULL.
 */
COIO_API int coio_resume(stCoRoutine_t *co, coio_transfer *transfer);

/* Inside a coroutine: yields `value` to the resumer (COIO_YIELDED) and returns the value the
 * next coio_resume passes in (NULL after a plain co_resume). Outside: returns NULL at once. */
COIO_API void *coio_yield(void *value);

/*
 * Inside a coroutine: suspends to the resumer with COIO_WAIT_FD (fd, events) and returns what
 * the next coio_resume passes in, as an int: by convention the poll(2) revents, or -errno.
 * Outside a coroutine it simply poll(2)s the descriptor (no timeout) and returns revents or
 * -errno, so the same native code works in and out of coroutines.
 */
COIO_API int coio_wait_fd(int fd, int events);

/* What a coroutine suspended with COIO_WAIT_POLL waits for: until one of fds[0..nfds) is ready
 * for its events, or timeout_ns passed (-1: no timeout; nfds 0: just the timeout, a sleep). Layout
 * is part of the Java binding (io.coio.nativeswap.Native). Valid until the coroutine is resumed. */
typedef struct coio_poll_request {
    struct pollfd *fds;
    int32_t nfds;
    int32_t reserved;
    int64_t timeout_ns;
} coio_poll_request;

/*
 * poll(2) that suspends instead of blocking. Inside a coroutine resumed with coio_resume: polls
 * without waiting; if nothing is ready and time remains, suspends with COIO_WAIT_POLL and polls
 * again when resumed (resume value 0: "look again"; 1: "block in poll(2) for the remaining time"; negative: -errno to return), until something
 * is ready or the timeout (nanoseconds, -1 for none) passed. The resumer may wake it early or
 * spuriously; the deadline is kept here. Elsewhere: plain poll(2) (timeout rounded up to ms).
 * Returns the number of ready entries (revents filled in), 0 on timeout, or -errno.
 */
COIO_API int coio_poll(struct pollfd *fds, int nfds, int64_t timeout_ns);

/* A call of a native function on a coroutine stack: coio_call_routine(call) runs
 * fn(args[0..5]) and stores the result. fn must be a non-variadic function taking only integer
 * or pointer arguments (at most six) and returning an integer, a pointer or nothing. Layout is
 * part of the Java binding (io.coio.nativeswap.Native). */
typedef struct coio_call {
    void *fn;
    int64_t args[6];
    int64_t result;
} coio_call;

/*
 * A routine (libco signature) that performs `call` (a coio_call *) and returns its result. In a
 * coroutine it also enables the libc hooks of coio_hook_library for that coroutine: the hooked
 * socket calls of named libraries then suspend with COIO_WAIT_POLL instead of blocking.
 */
COIO_API void *coio_call_routine(void *call);

/*
 * libco's co_hook_sys_call for a library that is already loaded: rewrites the GOT entries
 * through which the loaded object whose file name ends with `name` (e.g. "libpq.so.5", or a
 * full path) calls libc's socket, poll and sleep functions, so that they go to coio's versions.
 * coio's versions behave exactly as libc's unless they run in a coroutine started with
 * coio_call_routine and resumed with coio_resume: there a wait suspends (COIO_WAIT_POLL) instead
 * of blocking. Returns the number of GOT entries rewritten (0 if it imports none of them; a
 * second call for the same library rewrites nothing), or -ENOENT (no such object loaded),
 * -ENOEXEC (no dynamic section), or -errno of mprotect.
 */
COIO_API int coio_hook_library(const char *name);

/* One of COIO_STATE_*, or -EINVAL for NULL. */
COIO_API int coio_state(const stCoRoutine_t *co);

#ifdef __cplusplus
}
#endif

#endif /* COIO_SWAP_H */
