/*
 * co_routine.c - libco's core API on top of coio_swap: per-thread environments, creation,
 * resume/yield along an unbounded resume chain, release/reset, and the switch into coroutines
 * that live on shared ("copy") stacks.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "coio_ctx.h"
#include "coio_internal.h"

#define DEFAULT_STACK_SIZE (128 * 1024)      /* libco's default */
#define MAX_STACK_SIZE (8 * 1024 * 1024)     /* libco's clamp */
#define HELPER_STACK_SIZE (16 * 1024)        /* memcpy and munmap need little */
/* How far below the frame of switch_prepare_slow() the stack pointer saved by coio_swap may lie
 * when a shared-stack occupant switches itself out (a few small frames; checked by the helper). */
#define SWITCH_SLACK 1024

/* initial-exec: one %fs-relative load instead of a __tls_get_addr call on every switch. It
 * costs 8 bytes of static TLS, which glibc reserves room for in dlopen'ed libraries (the JVM
 * dlopens this one). Read only at API entry, never after a switch: a suspended coroutine may be
 * resumed on another thread. */
static __thread struct coio_env *tls_env __attribute__((tls_model("initial-exec")));

static pthread_key_t env_key; /* only for its destructor: frees the env at thread exit */
static pthread_once_t env_key_once = PTHREAD_ONCE_INIT;
static int env_key_ok;

void coio_die(const char *msg) {
    /* write(2), not stdio: we may be on a small stack or in a broken state */
    static const char prefix[] = "coio native-swap: fatal: ";
    ssize_t r = write(2, prefix, sizeof(prefix) - 1);
    r = write(2, msg, strlen(msg));
    r = write(2, "\n", 1);
    (void)r;
    abort();
}

/* ---- environments ------------------------------------------------------------------------ */

static void co_free(stCoRoutine_t *co);

static void env_destroy(void *p) {
    struct coio_env *env = p;
    if (env->helper != NULL)
        co_free(env->helper);
    free(env);
    tls_env = NULL;
}

static void env_key_create(void) {
    env_key_ok = pthread_key_create(&env_key, env_destroy) == 0;
}

static __attribute__((noinline)) struct coio_env *env_create(void) {
    struct coio_env *env = calloc(1, sizeof(*env));
    if (env == NULL)
        return NULL;
    env->main.is_main = 1;
    env->main.state = COIO_STATE_RUNNING; /* the thread itself: always on its own chain */
    env->current = &env->main;
    pthread_once(&env_key_once, env_key_create);
    if (env_key_ok)
        pthread_setspecific(env_key, env); /* best effort: without it the env leaks at exit */
    tls_env = env;
    return env;
}

static inline struct coio_env *env_get(void) {
    struct coio_env *env = tls_env;
    return __builtin_expect(env != NULL, 1) ? env : env_create();
}

/* ---- switching ----------------------------------------------------------------------------- */

/*
 * Why co_resume and co_yield_ct end in a tail call of coio_swap: coio_swap continues the other
 * side with a predicted indirect jump rather than a `ret`, and a caller that returns right after
 * coio_swap would pop a return-stack-buffer entry that belongs to the other stack (a
 * mispredicted return, ~6 ns here). With the swap in tail position, the resumed side continues
 * straight in its caller, so a plain resume/yield ping-pong executes no return at all.
 * Consequently co_resume does nothing after the switch; the yielding side does the bookkeeping.
 */

/* Work for the switch helper; lives on the stack of the context switching out. */
struct helper_req {
    stCoRoutine_t *dead; /* released while running: free it once off its stack */
    stCoRoutine_t *out;  /* shared-stack occupant whose bytes must be saved first */
    stCoRoutine_t *in;   /* the coroutine to continue */
    int copy_in;         /* in lives on a shared stack: write its saved bytes back first */
    void *value;         /* handed over to `in` */
};

/*
 * The switch helper is a tiny per-thread context on its own stack. A switch that must touch
 * stack memory goes through it: into a coroutine whose shared stack holds someone else's frames
 * (save those, restore its own), or out of a coroutine released while running (free its stack).
 * The leaving context is saved first, so its exact stack pointer is known, and the helper works
 * on a stack no coroutine uses. (libco copies the stack back on the shared stack itself, under
 * the very frame it is overwriting.)
 */
static void helper_main(void *self_arg, void *first) {
    stCoRoutine_t *self = self_arg;
    struct helper_req *req = first;
    for (;;) {
        /* req may live in bytes about to be overwritten or unmapped: read it all first */
        stCoRoutine_t *dead = req->dead;
        stCoRoutine_t *out = req->out;
        stCoRoutine_t *in = req->in;
        int copy_in = req->copy_in;
        void *value = req->value;
        if (out != NULL) {
            size_t used = (size_t)(out->mem->stack.hi - (char *)out->sp);
            if (used > out->save_cap)
                coio_die("internal error: shared-stack save buffer too small");
            memcpy(out->save_buf, out->sp, used);
            out->save_size = used;
        }
        if (copy_in)
            memcpy(in->sp, in->save_buf, in->save_size);
        if (dead != NULL)
            co_free(dead);
        req = coio_swap(&self->sp, in->sp, value);
    }
}

static int helper_create(struct coio_env *env) {
    stCoRoutine_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    int rc = coio_stack_map(&h->stack, HELPER_STACK_SIZE);
    if (rc != 0) {
        free(h);
        return rc;
    }
    coio_fp_control_get(&h->mxcsr, &h->x87cw);
    h->sp = coio_frame_init(h->stack.hi, helper_main, h, h->mxcsr, h->x87cw);
    env->helper = h;
    return 0;
}

static inline int needs_helper(const stCoRoutine_t *to, int dying) {
    return (to->mem != NULL && to->mem->occupant != to) || dying;
}

/* Everything that can fail before a switch, done while failing is still harmless: the helper,
 * and room to save the current occupant of to's shared stack. */
static __attribute__((noinline)) int switch_prepare_slow(struct coio_env *env,
                                                         stCoRoutine_t *from,
                                                         stCoRoutine_t *to) {
    if (env->helper == NULL) {
        int rc = helper_create(env);
        if (rc != 0)
            return rc;
    }
    struct coio_shared_mem *m = to->mem;
    stCoRoutine_t *out = m != NULL && m->occupant != to ? m->occupant : NULL;
    if (out == NULL)
        return 0;
    /* If `from` is the occupant, its stack pointer is only known inside coio_swap: a few small
     * frames below this one (same call depth as switch_via_helper); the helper checks. */
    size_t need = out == from
                      ? (size_t)(m->stack.hi - (char *)__builtin_frame_address(0)) + SWITCH_SLACK
                      : (size_t)(m->stack.hi - (char *)out->sp);
    return coio_save_reserve(out, need);
}

static inline int switch_prepare(struct coio_env *env, stCoRoutine_t *from, stCoRoutine_t *to,
                                 int dying) {
    if (__builtin_expect(!needs_helper(to, dying), 1))
        return 0;
    return switch_prepare_slow(env, from, to);
}

static __attribute__((noinline)) void *switch_via_helper(struct coio_env *env,
                                                         stCoRoutine_t *from,
                                                         stCoRoutine_t *to, void *value,
                                                         int dying) {
    struct coio_shared_mem *m = to->mem;
    struct helper_req req = {dying ? from : NULL, NULL, to, 0, value};
    if (m != NULL && m->occupant != to) {
        req.out = m->occupant;
        req.copy_in = 1;
        m->occupant = to;
    }
    return coio_swap(&from->sp, env->helper->sp, &req);
}

/* Continues `to`, handing it `value`; returns what is handed back when `from` is continued.
 * Callers put it in tail position (see above). */
static inline void *co_switch(struct coio_env *env, stCoRoutine_t *from, stCoRoutine_t *to,
                              void *value, int dying) {
    if (__builtin_expect(!needs_helper(to, dying), 1))
        return coio_swap(&from->sp, to->sp, value);
    return switch_via_helper(env, from, to, value, dying);
}

/* RUNNING -> SUSPENDED/FINISHED: leave the results in the resumer (if it asked for them),
 * continue it with `kind` as the handed-over value. Returns what the next resume hands in;
 * outside a coroutine returns NULL at once. */
static void *co_suspend(int kind, void *value) {
    struct coio_env *env = tls_env;
    stCoRoutine_t *cur = env != NULL ? env->current : NULL;
    if (cur == NULL || cur->resumer == NULL)
        return NULL;
    stCoRoutine_t *back = cur->resumer;
    int dying = cur->release_pending;
    if (dying && cur->mem != NULL && cur->mem->occupant == cur)
        cur->mem->occupant = NULL; /* frames about to be freed need no saving */
    if (switch_prepare(env, cur, back, dying) != 0)
        coio_die("out of memory preparing a switch (switch helper or shared-stack buffer)");
    if (cur->report) {
        back->got_value = value;
        back->got_fd = kind == COIO_WAIT_FD ? cur->wait_fd : -1;
        back->got_events = kind == COIO_WAIT_FD ? cur->wait_events : 0;
    }
    cur->resumer = NULL;
    cur->state = kind == COIO_FINISHED ? COIO_STATE_FINISHED : COIO_STATE_SUSPENDED;
    env->current = back;
    return co_switch(env, cur, back, (void *)(intptr_t)kind, dying);
}

/* First function of every coroutine (called by coio_trampoline). */
static void co_entry(void *arg, void *first_value) {
    (void)first_value; /* libco's routine signature has no place for it */
    stCoRoutine_t *co = arg;
    void *result = co->routine != NULL ? co->routine(co->arg) : NULL;
    if (co->mem != NULL && co->mem->occupant == co)
        co->mem->occupant = NULL; /* its frames are dead: nobody needs to save them */
    co_suspend(COIO_FINISHED, result);
    coio_die("a finished coroutine was continued");
}

/* CREATED -> ready to switch in: build its first frame. */
static int co_start_frame(stCoRoutine_t *co) {
    if (co->mem == NULL) {
        co->sp = coio_frame_init(co->stack.hi, co_entry, co, co->mxcsr, co->x87cw);
        return 0;
    }
    /* Shared stack: the frame is built in the save buffer as the bytes [hi - FRAME, hi); the
     * helper writes it into the stack when the coroutine is switched in. */
    int rc = coio_save_reserve(co, COIO_FRAME_SIZE);
    if (rc != 0)
        return rc;
    coio_frame_init(co->save_buf + COIO_FRAME_SIZE, co_entry, co, co->mxcsr, co->x87cw);
    co->save_size = COIO_FRAME_SIZE;
    co->sp = co->mem->stack.hi - COIO_FRAME_SIZE;
    return 0;
}

/* Checks and bookkeeping of a resume; 0 when `co` may be switched in from *from_out. */
static inline int resume_begin(stCoRoutine_t *co, coio_transfer *transfer,
                               struct coio_env **env_out, stCoRoutine_t **from_out) {
    if (co == NULL || co->is_main || co->state == COIO_STATE_FINISHED)
        return -EINVAL;
    if (co->state == COIO_STATE_RUNNING)
        return -EBUSY;
    struct coio_env *env = env_get();
    if (env == NULL)
        return -ENOMEM;
    int rc;
    if (co->state == COIO_STATE_CREATED && (rc = co_start_frame(co)) != 0)
        return rc;
    stCoRoutine_t *from = env->current;
    if ((rc = switch_prepare(env, from, co, 0)) != 0)
        return rc;
    co->resumer = from;
    co->report = transfer != NULL;
    co->state = COIO_STATE_RUNNING;
    env->current = co;
    *env_out = env;
    *from_out = from;
    return 0;
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

static void co_free(stCoRoutine_t *co) {
    if (co->share != NULL) {
        if (co->mem->occupant == co)
            co->mem->occupant = NULL;
        coio_share_unbind(co->share);
    } else {
        coio_stack_unmap(&co->stack);
    }
    free(co->save_buf);
    free(co->spec);
    free(co);
}

int co_create(stCoRoutine_t **out, const stCoRoutineAttr_t *attr, void *(*routine)(void *),
              void *arg) {
    if (out == NULL)
        return -EINVAL;
    if (env_get() == NULL) /* as libco: co_self() works once a thread created a coroutine */
        return -ENOMEM;
    int size = attr != NULL ? attr->stack_size : DEFAULT_STACK_SIZE;
    stShareStack_t *share = attr != NULL ? attr->share_stack : NULL;
    if (size <= 0)
        size = DEFAULT_STACK_SIZE;
    else if (size > MAX_STACK_SIZE)
        size = MAX_STACK_SIZE;
    if (share != NULL && share->release_pending)
        return -EINVAL;

    stCoRoutine_t *co = calloc(1, sizeof(*co));
    if (co == NULL)
        return -ENOMEM;
    co->routine = routine;
    co->arg = arg;
    co->state = COIO_STATE_CREATED;
    coio_fp_control_get(&co->mxcsr, &co->x87cw);
    if (share != NULL) {
        co->share = share;
        co->mem = &share->mem[share->next++ % (unsigned)share->count];
        share->bound++;
    } else {
        int rc = coio_stack_map(&co->stack, (size_t)size); /* rounds up to pages */
        if (rc != 0) {
            free(co);
            return rc;
        }
    }
    *out = co;
    return 0;
}

void co_resume(stCoRoutine_t *co) {
    struct coio_env *env;
    stCoRoutine_t *from;
    int rc = resume_begin(co, NULL, &env, &from);
    if (__builtin_expect(rc != 0, 0)) {
        if (rc == -ENOMEM) /* co_resume cannot report it; carrying on would be wrong */
            coio_die("co_resume: out of memory (switch helper or shared-stack buffer)");
        return; /* finished, running or main coroutine: nothing to do (documented) */
    }
    co_switch(env, from, co, NULL, 0); /* tail call */
}

int coio_resume(stCoRoutine_t *co, coio_transfer *transfer) {
    struct coio_env *env;
    stCoRoutine_t *from;
    int rc = resume_begin(co, transfer, &env, &from);
    if (rc != 0)
        return rc;
    /* co_suspend hands back the COIO_* kind and left the rest in `from` (co itself may be
     * freed by now, if it was released while running). */
    int kind = (int)(intptr_t)co_switch(env, from, co, transfer != NULL ? transfer->value : NULL, 0);
    if (transfer != NULL) {
        transfer->value = from->got_value;
        transfer->fd = from->got_fd;
        transfer->events = from->got_events;
    }
    return kind;
}

void co_yield_ct(void) {
    co_suspend(COIO_YIELDED, NULL);
}

void co_yield(stCoRoutine_t *co) {
    (void)co; /* libco too yields the current coroutine whatever is passed */
    co_suspend(COIO_YIELDED, NULL);
}

void *coio_yield(void *value) {
    return co_suspend(COIO_YIELDED, value);
}

int coio_wait_fd(int fd, int events) {
    struct coio_env *env = tls_env;
    stCoRoutine_t *cur = env != NULL ? env->current : NULL;
    if (cur == NULL || cur->resumer == NULL) {
        /* not in a coroutine: nobody to suspend to, so block like the code would anyway */
        struct pollfd p = {.fd = fd, .events = (short)events, .revents = 0};
        for (;;) {
            int n = poll(&p, 1, -1);
            if (n >= 0)
                return p.revents;
            if (errno != EINTR)
                return -errno;
        }
    }
    cur->wait_fd = fd;
    cur->wait_events = events;
    return (int)(intptr_t)co_suspend(COIO_WAIT_FD, NULL);
}

static int64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* poll(fds, 0 ms), errno folded in: a separate frame, so that no errno or TLS address computed
 * before a suspension is reused after it (the coroutine may be resumed on another thread). */
static __attribute__((noinline)) int poll_now(struct pollfd *fds, int nfds) {
    for (;;) {
        int n = poll(fds, (nfds_t)nfds, 0);
        if (n >= 0 || errno != EINTR)
            return n >= 0 ? n : -errno;
    }
}

static __attribute__((noinline)) intptr_t suspend_poll(coio_poll_request *req) {
    return (intptr_t)co_suspend(COIO_WAIT_POLL, req);
}

int coio_poll(struct pollfd *fds, int nfds, int64_t timeout_ns) {
    struct coio_env *env = tls_env;
    stCoRoutine_t *cur = env != NULL ? env->current : NULL;
    if (cur == NULL || cur->resumer == NULL || !cur->report) {
        /* nobody who understands COIO_WAIT_POLL to suspend to: wait like poll(2) */
        int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
        int n = poll(fds, (nfds_t)nfds, ms);
        return n >= 0 ? n : -errno;
    }
    int64_t deadline = timeout_ns < 0 ? -1 : monotonic_ns() + timeout_ns;
    for (;;) {
        int n = poll_now(fds, nfds);
        if (n != 0)
            return n;
        int64_t left = -1;
        if (deadline >= 0 && (left = deadline - monotonic_ns()) <= 0)
            return 0;
        coio_poll_request req = {.fds = fds, .nfds = nfds, .reserved = 0, .timeout_ns = left};
        intptr_t r = suspend_poll(&req);
        if (r < 0)
            return (int)r;
        if (r == 1) { /* the resumer cannot wait for us: block this thread for the rest */
            int ms = left < 0 ? -1 : (int)((left + 999999) / 1000000);
            int n = poll(fds, (nfds_t)nfds, ms);
            return n >= 0 ? n : -errno;
        }
    }
}

stCoRoutine_t *coio_hook_coroutine(void) {
    struct coio_env *env = tls_env;
    stCoRoutine_t *cur = env != NULL ? env->current : NULL;
    return cur != NULL && cur->hooks && cur->report && cur->resumer != NULL ? cur : NULL;
}

void *coio_call_routine(void *arg) {
    coio_call *call = arg;
    struct coio_env *env = tls_env;
    if (env != NULL && env->current != NULL && !env->current->is_main)
        env->current->hooks = 1;
    typedef int64_t (*fn6)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);
    fn6 fn = (fn6)call->fn;
    call->result = fn(call->args[0], call->args[1], call->args[2], call->args[3], call->args[4],
                      call->args[5]);
    return (void *)(intptr_t)call->result;
}

void co_release(stCoRoutine_t *co) {
    if (co == NULL || co->is_main)
        return;
    if (co->state == COIO_STATE_RUNNING) {
        co->release_pending = 1; /* freed (by the switch helper) when it yields or finishes */
        return;
    }
    co_free(co);
}

void co_reset(stCoRoutine_t *co) {
    if (co == NULL || co->is_main)
        return;
    if (co->state != COIO_STATE_SUSPENDED && co->state != COIO_STATE_FINISHED)
        return;
    if (co->mem != NULL && co->mem->occupant == co)
        co->mem->occupant = NULL;
    co->save_size = 0;
    co->state = COIO_STATE_CREATED;
}

stCoRoutine_t *co_self(void) {
    struct coio_env *env = tls_env;
    return env != NULL ? env->current : NULL;
}

int coio_state(const stCoRoutine_t *co) {
    return co != NULL ? co->state : -EINVAL;
}
