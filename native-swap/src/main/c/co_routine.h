/*
 * co_routine.h - libco's core coroutine API, implemented by coio native-swap (libcoio_swap.so).
 *
 * Source-compatible with the core of Tencent libco's co_routine.h: a program that uses only the
 * functions below compiles unchanged against this header (C++ as with libco; C as well) and
 * runs against libcoio_swap.so. Semantics follow libco; every deliberate difference is marked
 * "coio:" below and listed in native-swap/README.md.
 *
 * Not provided (libco's hook/epoll layer; use coio's Java carriers instead): co_poll,
 * co_eventloop, co_get_epoll_ct, co_enable_hook_sys, co_disable_hook_sys, co_is_enable_sys_hook,
 * co_cond_*, co_set_env_list, co_log_err. They are deliberately not declared, so a program that
 * needs them fails at compile time, not at link or run time.
 *
 * Threads: every thread has its own coroutine environment (a __thread pointer), created on its
 * first co_create. A suspended coroutine may be resumed from another thread (coio: libco ties it
 * to its creator), provided its code keeps no thread-local addresses across the switch.
 */
#ifndef __CO_ROUTINE_H__
#define __CO_ROUTINE_H__

/* The same includes as libco's header: libco programs rely on them (poll, pthread keys). */
#include <stdint.h>
#include <stddef.h>
#include <sys/poll.h>
#include <pthread.h>

#if defined(__GNUC__)
#define COIO_API __attribute__((visibility("default")))
#else
#define COIO_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* 1. types ------------------------------------------------------------------------------- */

typedef struct stCoRoutine_t stCoRoutine_t;   /* opaque */
typedef struct stShareStack_t stShareStack_t; /* opaque: a set of stacks shared by copying */

/*
 * Creation attributes, as in libco: stack_size (bytes) and share_stack. In C++ the constructor
 * sets libco's defaults (128 KiB, no shared stack); in C initialize with CO_ROUTINE_ATTR_INIT
 * (works in C++ too) or pass NULL.
 * coio: not __attribute__((packed)) as libco's is; nothing depends on its layout.
 */
typedef struct stCoRoutineAttr_t {
    int stack_size;
    stShareStack_t *share_stack;
#ifdef __cplusplus
    stCoRoutineAttr_t() : stack_size(128 * 1024), share_stack(NULL) {}
#endif
} stCoRoutineAttr_t;

#ifdef __cplusplus
#define CO_ROUTINE_ATTR_INIT stCoRoutineAttr_t()
#else
#define CO_ROUTINE_ATTR_INIT { 128 * 1024, NULL }
#endif

typedef void *(*pfn_co_routine_t)(void *);

/* 2. coroutines -------------------------------------------------------------------------- */

/*
 * Creates a suspended coroutine that will run routine(arg) on its first co_resume. attr may be
 * NULL (defaults). Stack size as in libco: <= 0 means 128 KiB, above 8 MiB is clamped to 8 MiB,
 * otherwise rounded up to whole pages; with share_stack set, the shared stack's size applies.
 * A private stack is mmap'ed with a PROT_NONE guard page below it: overflow faults (SIGSEGV)
 * instead of corrupting memory. Returns 0.
 * coio: returns -errno (-EINVAL for co == NULL, -ENOMEM and friends when mmap fails) instead of
 * crashing on failure.
 */
COIO_API int co_create(stCoRoutine_t **co, const stCoRoutineAttr_t *attr,
                       void *(*routine)(void *), void *arg);

/*
 * Runs co until it yields or its routine returns; the caller becomes co's resumer. A coroutine
 * may resume another (nesting has no fixed depth limit; coio: libco's is 128, unchecked).
 * coio: resuming a finished, running (already on the resume chain) or main coroutine does
 * nothing and returns at once; libco's behaviour there is undefined.
 */
COIO_API void co_resume(stCoRoutine_t *co);

/*
 * Suspends the running coroutine and continues its resumer. libco ignores which coroutine is
 * passed (it yields the current one of co's thread); so does this: co is accepted for
 * compatibility. coio: called outside any coroutine, it returns at once.
 */
#if !defined(__cpp_impl_coroutine)
COIO_API void co_yield(stCoRoutine_t *co);
#endif /* C++20: co_yield is a keyword (libco's header does not compile there); use co_yield_ct */
COIO_API void co_yield_ct(void); /* ct = current thread: yields its running coroutine */

/*
 * Frees co and its stack. A suspended coroutine's frames are abandoned, not unwound (as in
 * libco: no C++ destructors run on them). coio: releasing a running coroutine (the current one
 * or one on the resume chain) is deferred until it next yields or finishes; releasing the main
 * coroutine (co_self() outside coroutines) or NULL does nothing.
 */
COIO_API void co_release(stCoRoutine_t *co);

/*
 * Makes a suspended or finished coroutine start over from its routine on the next co_resume
 * (its old frames are abandoned). Does nothing for a coroutine not yet started or the main one.
 * coio: also does nothing for a running coroutine (libco corrupts it).
 */
COIO_API void co_reset(stCoRoutine_t *co);

/* The running coroutine; outside any coroutine the thread's main coroutine object; NULL if
 * this thread has not used coroutines yet (as libco). */
COIO_API stCoRoutine_t *co_self(void);

/* 3. coroutine-specific data (libco's co_setspecific/co_getspecific) ---------------------- */

/* Inside a coroutine: a value per (coroutine, key); outside: pthread_setspecific/getspecific.
 * Returns 0 or a positive error number, like pthread_setspecific. */
COIO_API int co_setspecific(pthread_key_t key, const void *value);
COIO_API void *co_getspecific(pthread_key_t key);

/* 4. shared ("copy") stacks -------------------------------------------------------------- */

/*
 * Allocates `count` stacks of stack_size bytes (rounded up to pages, each with a guard page)
 * to be shared by coroutines created with attr.share_stack set. Coroutines are bound to the
 * stacks round-robin; when one is switched in, the used part of the previous occupant's stack
 * is copied out and its own copied back, so many coroutines need only their used bytes.
 * Returns NULL (with errno set) on failure; coio: libco crashes.
 * A shared stack and its coroutines must be used by one thread at a time.
 */
COIO_API stShareStack_t *co_alloc_sharestack(int count, int stack_size);

/* coio extension: frees a shared stack; deferred until its last coroutine is released. */
COIO_API void co_release_sharestack(stShareStack_t *share_stack);

#ifdef __cplusplus
}
#endif

#endif /* __CO_ROUTINE_H__ */
