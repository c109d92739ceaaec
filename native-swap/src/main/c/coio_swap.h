/*
 * coio_swap.h - coio extensions to libco's API: values passed across switches, and the bridge
 * that lets native code running in a coroutine wait for a file descriptor by suspending to its
 * resumer (coio's Java side) instead of blocking the thread.
 *
 * All functions return -errno on failure (never set errno), as the Java binding expects.
 */
#ifndef COIO_SWAP_H
#define COIO_SWAP_H

#include "co_routine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a coio_resume returned (its non-negative results). */
enum {
    COIO_FINISHED = 0, /* the routine returned; transfer.value = its return value */
    COIO_YIELDED = 1,  /* co_yield_ct / co_yield (value NULL) or coio_yield(value) */
    COIO_WAIT_FD = 2   /* coio_wait_fd: transfer.fd / transfer.events say what it waits for */
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

/* One of COIO_STATE_*, or -EINVAL for NULL. */
COIO_API int coio_state(const stCoRoutine_t *co);

#ifdef __cplusplus
}
#endif

#endif /* COIO_SWAP_H */
