/*
 * coio_stack.c - stack memory: private stacks, shared ("copy") stacks and their save buffers.
 *
 * Every stack comes from mmap with one PROT_NONE guard page below it, so running off the end
 * faults (SIGSEGV) instead of silently overwriting whatever malloc put next to it, as libco's
 * malloc'ed stacks do.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coio_internal.h"

size_t coio_page_size(void) {
    static size_t page; /* racy first store is benign: every thread stores the same value */
    if (page == 0) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}

int coio_stack_map(struct coio_stack *s, size_t usable) {
    size_t page = coio_page_size();
    usable = (usable + page - 1) & ~(page - 1);
    size_t total = usable + page;
    /* MAP_STACK documents intent (and keeps transparent huge pages off stacks on new kernels). */
    char *map = mmap(NULL, total, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return -errno;
    if (mprotect(map, page, PROT_NONE) != 0) {
        int err = errno;
        munmap(map, total);
        return -err;
    }
    s->map = map;
    s->map_size = total;
    s->lo = map + page;
    s->hi = map + total; /* page-aligned, so 16-aligned as coio_frame_init requires */
    return 0;
}

void coio_stack_unmap(struct coio_stack *s) {
    if (s->map != NULL)
        munmap(s->map, s->map_size);
    s->map = s->lo = s->hi = NULL;
    s->map_size = 0;
}

/* Makes co->save_buf hold at least `bytes`; grows geometrically so steady state allocates
 * nothing (libco mallocs and frees on every switch). */
int coio_save_reserve(stCoRoutine_t *co, size_t bytes) {
    if (bytes <= co->save_cap)
        return 0;
    size_t cap = co->save_cap ? co->save_cap : 256;
    while (cap < bytes)
        cap *= 2;
    char *buf = realloc(co->save_buf, cap);
    if (buf == NULL)
        return -ENOMEM;
    co->save_buf = buf;
    co->save_cap = cap;
    return 0;
}

static void share_free(stShareStack_t *ss) {
    for (int i = 0; i < ss->count; i++)
        coio_stack_unmap(&ss->mem[i].stack);
    free(ss);
}

stShareStack_t *co_alloc_sharestack(int count, int stack_size) {
    if (count <= 0) {
        errno = EINVAL;
        return NULL;
    }
    size_t page = coio_page_size();
    if (stack_size <= 0)
        stack_size = 128 * 1024;
    if ((size_t)stack_size > (size_t)INT32_MAX - page) {
        errno = EINVAL; /* would not fit libco's int stack_size once rounded up */
        return NULL;
    }
    stShareStack_t *ss = calloc(1, sizeof(*ss) + (size_t)count * sizeof(ss->mem[0]));
    if (ss == NULL)
        return NULL; /* errno = ENOMEM from calloc */
    ss->count = count;
    ss->stack_size = (int)(((size_t)stack_size + page - 1) & ~(page - 1));
    for (int i = 0; i < count; i++) {
        int rc = coio_stack_map(&ss->mem[i].stack, (size_t)ss->stack_size);
        if (rc != 0) {
            share_free(ss); /* unmaps the ones already mapped (map == NULL is skipped) */
            errno = -rc;
            return NULL;
        }
    }
    return ss;
}

void co_release_sharestack(stShareStack_t *ss) {
    if (ss == NULL)
        return;
    if (ss->bound > 0)
        ss->release_pending = 1; /* the last co_release of a bound coroutine frees it */
    else
        share_free(ss);
}

/* A coroutine bound to ss is gone. */
void coio_share_unbind(stShareStack_t *ss) {
    if (--ss->bound == 0 && ss->release_pending)
        share_free(ss);
}
