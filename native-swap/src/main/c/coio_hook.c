/*
 * coio_hook.c - libco's co_hook_sys_call, done for a library that is already loaded: the GOT
 * entries through which a named library calls libc's socket, poll and sleep functions are
 * rewritten to point here (coio_hook_library). The versions here behave exactly as libc's
 * unless they run in a coroutine started with coio_call_routine and resumed with coio_resume
 * (coio_hook_coroutine()); there, a call that would block waits with coio_poll, which suspends
 * the coroutine to its resumer (coio's Java side parks it on its carrier's epoll).
 *
 * Sockets stay as the library made them: a socket the library wants blocking is not switched to
 * O_NONBLOCK (which would show through fcntl and leak to code outside coroutines); each
 * operation is made non-blocking by itself instead (MSG_DONTWAIT; connect: O_NONBLOCK for the
 * duration of the call). So no per-fd table is needed (libco keeps a fixed 102,400-entry one).
 * Timeouts are the socket's own SO_RCVTIMEO / SO_SNDTIMEO and the library's poll/select
 * timeouts; none is invented (libco forces 1 s on sockets without one).
 *
 * errno: a coroutine may be resumed on another thread, so nothing derived from errno's (TLS)
 * address may survive a suspension. The system calls and errno reads are in small noinline
 * functions that return -errno, and errno is set in another one, each a fresh frame.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "coio_internal.h"

#define NOINLINE __attribute__((noinline))

/* ---- helpers: fresh frames for errno ----------------------------------------------------- */

static NOINLINE long fail_errno(long neg) {
    errno = (int)-neg;
    return -1;
}

static long ret(long n) {
    return n >= 0 ? n : fail_errno(n);
}

/* True if the library left fd blocking (it expects calls to wait); false for O_NONBLOCK or a bad fd. */
static NOINLINE int wants_blocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_NONBLOCK) == 0;
}

/* The socket's SO_RCVTIMEO / SO_SNDTIMEO in ns, -1 for none (or not a socket). */
static NOINLINE int64_t socket_timeout_ns(int fd, int opt) {
    struct timeval tv;
    socklen_t len = sizeof(tv);
    if (getsockopt(fd, SOL_SOCKET, opt, &tv, &len) != 0 || (tv.tv_sec == 0 && tv.tv_usec == 0))
        return -1;
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

/* Waits (suspending) until fd is ready for `events`: 0, or -EAGAIN when the socket's own
 * timeout `opt` passed (what the kernel's blocking call returns then), or -errno. */
static int wait_ready(int fd, short events, int opt) {
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};
    int n = coio_poll(&p, 1, socket_timeout_ns(fd, opt));
    return n > 0 ? 0 : n == 0 ? -EAGAIN : n;
}

static NOINLINE long try_recv(int fd, void *buf, size_t len, int flags) {
    ssize_t n = recv(fd, buf, len, flags | MSG_DONTWAIT);
    return n >= 0 ? n : -errno;
}

static NOINLINE long try_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                                  socklen_t *fromlen) {
    ssize_t n = recvfrom(fd, buf, len, flags | MSG_DONTWAIT, from, fromlen);
    return n >= 0 ? n : -errno;
}

static NOINLINE long try_send(int fd, const void *buf, size_t len, int flags,
                              const struct sockaddr *to, socklen_t tolen) {
    ssize_t n = sendto(fd, buf, len, flags | MSG_DONTWAIT, to, tolen);
    return n >= 0 ? n : -errno;
}

static NOINLINE long try_recvmsg(int fd, struct msghdr *msg, int flags) {
    ssize_t n = recvmsg(fd, msg, flags | MSG_DONTWAIT);
    return n >= 0 ? n : -errno;
}

static NOINLINE long try_sendmsg(int fd, const struct msghdr *msg, int flags) {
    ssize_t n = sendmsg(fd, msg, flags | MSG_DONTWAIT);
    return n >= 0 ? n : -errno;
}

static NOINLINE long try_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    int n = accept4(fd, addr, len, flags);
    return n >= 0 ? n : -errno;
}

static int would_block(long n) {
    return n == -EAGAIN || n == -EWOULDBLOCK;
}

/* ---- the hooked functions -------------------------------------------------------------------- */

static ssize_t hook_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                             socklen_t *fromlen) {
    if (coio_hook_coroutine() == NULL || (flags & MSG_DONTWAIT) || !wants_blocking(fd))
        return recvfrom(fd, buf, len, flags, from, fromlen);
    for (;;) {
        long n = try_recvfrom(fd, buf, len, flags, from, fromlen);
        if (!would_block(n))
            return ret(n);
        int w = wait_ready(fd, POLLIN, SO_RCVTIMEO);
        if (w < 0)
            return ret(w);
    }
}

static ssize_t hook_recv(int fd, void *buf, size_t len, int flags) {
    if (coio_hook_coroutine() == NULL || (flags & MSG_DONTWAIT) || !wants_blocking(fd))
        return recv(fd, buf, len, flags);
    return hook_recvfrom(fd, buf, len, flags, NULL, NULL);
}

static ssize_t hook_read(int fd, void *buf, size_t len) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return read(fd, buf, len);
    for (;;) {
        long n = try_recv(fd, buf, len, 0);
        if (n == -ENOTSOCK)
            return read(fd, buf, len); /* pipes, files: not hooked, libc's read */
        if (!would_block(n))
            return ret(n);
        int w = wait_ready(fd, POLLIN, SO_RCVTIMEO);
        if (w < 0)
            return ret(w);
    }
}

/* A blocking send on a stream socket returns when everything is sent (or on an error after
 * which it reports what was sent): so does this one, waiting between partial sends. */
static ssize_t send_all(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                        socklen_t tolen) {
    size_t done = 0;
    for (;;) {
        long n = try_send(fd, (const char *)buf + done, len - done, flags, to, tolen);
        if (n >= 0) {
            done += (size_t)n;
            if (done == len)
                return (ssize_t)done;
        } else if (n == -ENOTSOCK && done == 0) {
            return n; /* caller falls back to libc */
        } else if (!would_block(n)) {
            return done > 0 ? (ssize_t)done : n;
        }
        int w = wait_ready(fd, POLLOUT, SO_SNDTIMEO);
        if (w < 0)
            return done > 0 ? (ssize_t)done : w;
    }
}

static ssize_t hook_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                           socklen_t tolen) {
    if (coio_hook_coroutine() == NULL || (flags & MSG_DONTWAIT) || !wants_blocking(fd))
        return sendto(fd, buf, len, flags, to, tolen);
    return ret(send_all(fd, buf, len, flags, to, tolen));
}

static ssize_t hook_send(int fd, const void *buf, size_t len, int flags) {
    if (coio_hook_coroutine() == NULL || (flags & MSG_DONTWAIT) || !wants_blocking(fd))
        return send(fd, buf, len, flags);
    return ret(send_all(fd, buf, len, flags, NULL, 0));
}

static ssize_t hook_write(int fd, const void *buf, size_t len) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return write(fd, buf, len);
    long n = send_all(fd, buf, len, 0, NULL, 0);
    return n == -ENOTSOCK ? write(fd, buf, len) : ret(n);
}

/* recvmsg/sendmsg (and readv/writev through them): one transfer each, like the kernel's for a
 * message; a partial stream write is returned as is. */
static ssize_t hook_recvmsg(int fd, struct msghdr *msg, int flags) {
    if (coio_hook_coroutine() == NULL || (flags & MSG_DONTWAIT) || !wants_blocking(fd))
        return recvmsg(fd, msg, flags);
    for (;;) {
        long n = try_recvmsg(fd, msg, flags);
        if (!would_block(n))
            return ret(n);
        int w = wait_ready(fd, POLLIN, SO_RCVTIMEO);
        if (w < 0)
            return ret(w);
    }
}

static ssize_t hook_sendmsg(int fd, const struct msghdr *msg, int flags) {
    if (coio_hook_coroutine() == NULL || (flags & MSG_DONTWAIT) || !wants_blocking(fd))
        return sendmsg(fd, msg, flags);
    for (;;) {
        long n = try_sendmsg(fd, msg, flags);
        if (!would_block(n))
            return ret(n);
        int w = wait_ready(fd, POLLOUT, SO_SNDTIMEO);
        if (w < 0)
            return ret(w);
    }
}

static ssize_t hook_readv(int fd, const struct iovec *iov, int iovcnt) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return readv(fd, iov, iovcnt);
    struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    long n = try_recvmsg(fd, &msg, 0);
    if (n == -ENOTSOCK)
        return readv(fd, iov, iovcnt);
    return would_block(n) ? hook_recvmsg(fd, &msg, 0) : ret(n);
}

static ssize_t hook_writev(int fd, const struct iovec *iov, int iovcnt) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return writev(fd, iov, iovcnt);
    struct msghdr msg = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt};
    long n = try_sendmsg(fd, &msg, 0);
    if (n == -ENOTSOCK)
        return writev(fd, iov, iovcnt);
    return would_block(n) ? hook_sendmsg(fd, &msg, 0) : ret(n);
}

static NOINLINE long connect_nonblocking(int fd, const struct sockaddr *addr, socklen_t len) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return -errno;
    long r = connect(fd, addr, len) == 0 ? 0 : -errno;
    fcntl(fd, F_SETFL, fl);
    return r;
}

static NOINLINE long socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return -errno;
    return -err;
}

static int hook_connect(int fd, const struct sockaddr *addr, socklen_t len) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return connect(fd, addr, len);
    long r = connect_nonblocking(fd, addr, len);
    if (r != -EINPROGRESS)
        return (int)ret(r);
    /* The kernel's blocking connect gives up after SO_SNDTIMEO with EINPROGRESS. */
    int w = wait_ready(fd, POLLOUT, SO_SNDTIMEO);
    if (w < 0)
        return (int)ret(w == -EAGAIN ? -EINPROGRESS : w);
    return (int)ret(socket_error(fd));
}

/* Waits until the listening socket is readable, then accepts. Another thread may take the
 * connection in between; then accept4 blocks as libc's would (a limit, see README). */
static int hook_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return accept4(fd, addr, len, flags);
    int w = wait_ready(fd, POLLIN, SO_RCVTIMEO);
    if (w < 0)
        return (int)ret(w);
    return (int)ret(try_accept(fd, addr, len, flags));
}

static int hook_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    if (coio_hook_coroutine() == NULL || !wants_blocking(fd))
        return accept(fd, addr, len);
    return hook_accept4(fd, addr, len, 0);
}

static int hook_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    if (coio_hook_coroutine() == NULL || timeout_ms == 0)
        return poll(fds, nfds, timeout_ms);
    return (int)ret(coio_poll(fds, (int)nfds, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000));
}

static NOINLINE long select_now(int nfds, fd_set *r, fd_set *w, fd_set *e) {
    struct timeval zero = {0, 0};
    int n = select(nfds, r, w, e, &zero);
    return n >= 0 ? n : -errno;
}

/* select: wait with coio_poll on the same descriptors, then let select itself fill the sets. */
static int hook_select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *timeout) {
    if (coio_hook_coroutine() == NULL || nfds < 0 || nfds > FD_SETSIZE ||
        (timeout != NULL && timeout->tv_sec == 0 && timeout->tv_usec == 0))
        return select(nfds, r, w, e, timeout);
    fd_set r0, w0, e0;
    FD_ZERO(&r0);
    FD_ZERO(&w0);
    FD_ZERO(&e0);
    if (r) r0 = *r;
    if (w) w0 = *w;
    if (e) e0 = *e;
    struct pollfd *p = malloc(sizeof(struct pollfd) * (size_t)(nfds > 0 ? nfds : 1));
    if (p == NULL)
        return (int)fail_errno(-ENOMEM);
    int count = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (short)((FD_ISSET(fd, &r0) ? POLLIN : 0) | (FD_ISSET(fd, &w0) ? POLLOUT : 0) |
                           (FD_ISSET(fd, &e0) ? POLLPRI : 0));
        if (ev != 0)
            p[count++] = (struct pollfd){.fd = fd, .events = ev, .revents = 0};
    }
    int64_t t = timeout == NULL ? -1 : (int64_t)timeout->tv_sec * 1000000000 + (int64_t)timeout->tv_usec * 1000;
    int n = coio_poll(p, count, t);
    free(p);
    if (n < 0)
        return (int)fail_errno(n);
    if (n == 0) {
        if (r) FD_ZERO(r);
        if (w) FD_ZERO(w);
        if (e) FD_ZERO(e);
        if (timeout != NULL)
            *timeout = (struct timeval){0, 0}; /* Linux reports the time not slept */
        return 0;
    }
    return (int)ret(select_now(nfds, r, w, e));
}

static int sleep_ns(int64_t ns) {
    int n = coio_poll(NULL, 0, ns);
    return n < 0 ? n : 0;
}

static int hook_nanosleep(const struct timespec *req, struct timespec *rem) {
    if (coio_hook_coroutine() == NULL || req == NULL || req->tv_nsec < 0 || req->tv_nsec > 999999999 ||
        req->tv_sec < 0)
        return nanosleep(req, rem);
    return (int)ret(sleep_ns((int64_t)req->tv_sec * 1000000000 + req->tv_nsec));
}

static int hook_usleep(useconds_t usec) {
    if (coio_hook_coroutine() == NULL)
        return usleep(usec);
    return (int)ret(sleep_ns((int64_t)usec * 1000));
}

static unsigned int hook_sleep(unsigned int seconds) {
    if (coio_hook_coroutine() == NULL)
        return sleep(seconds);
    sleep_ns((int64_t)seconds * 1000000000);
    return 0;
}

/* What is hooked: libc's name -> coio's version. */
static const struct {
    const char *name;
    void *hook;
} HOOKS[] = {
    {"read", (void *)hook_read},         {"write", (void *)hook_write},
    {"readv", (void *)hook_readv},       {"writev", (void *)hook_writev},
    {"recv", (void *)hook_recv},         {"send", (void *)hook_send},
    {"recvfrom", (void *)hook_recvfrom}, {"sendto", (void *)hook_sendto},
    {"recvmsg", (void *)hook_recvmsg},   {"sendmsg", (void *)hook_sendmsg},
    {"connect", (void *)hook_connect},   {"accept", (void *)hook_accept},
    {"accept4", (void *)hook_accept4},   {"poll", (void *)hook_poll},
    {"select", (void *)hook_select},     {"nanosleep", (void *)hook_nanosleep},
    {"usleep", (void *)hook_usleep},     {"sleep", (void *)hook_sleep},
};

static void *hook_for(const char *name) {
    for (size_t i = 0; i < sizeof(HOOKS) / sizeof(HOOKS[0]); i++)
        if (strcmp(HOOKS[i].name, name) == 0)
            return HOOKS[i].hook;
    return NULL;
}

/* ---- GOT rewriting ---------------------------------------------------------------------------- */

struct found_object {
    const char *name;
    ElfW(Addr) base;
    const ElfW(Phdr) *phdr;
    ElfW(Half) phnum;
    int found;
};

static int ends_with_name(const char *path, const char *name) {
    size_t lp = strlen(path), ln = strlen(name);
    if (ln == 0 || lp < ln || strcmp(path + lp - ln, name) != 0)
        return 0;
    return lp == ln || name[0] == '/' || path[lp - ln - 1] == '/';
}

static int find_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct found_object *f = data;
    if (info->dlpi_name == NULL || !ends_with_name(info->dlpi_name, f->name))
        return 0;
    f->base = info->dlpi_addr;
    f->phdr = info->dlpi_phdr;
    f->phnum = info->dlpi_phnum;
    f->found = 1;
    return 1;
}

/* glibc has relocated the pointers in .dynamic already; other loaders may not have. */
static uintptr_t dyn_ptr(ElfW(Addr) base, ElfW(Addr) p) {
    return p < base ? base + p : p;
}

/* Writes `value` into the GOT slot; a slot in the RELRO range (read-only after loading, as with
 * -z now) is made writable for the store and read-only again. 1 if written, 0 if unchanged. */
static int patch_slot(void **slot, void *value, uintptr_t relro_lo, uintptr_t relro_hi) {
    if (*slot == value)
        return 0;
    uintptr_t page = (uintptr_t)slot & ~((uintptr_t)coio_page_size() - 1);
    int relro = (uintptr_t)slot >= relro_lo && (uintptr_t)slot < relro_hi;
    if (relro && mprotect((void *)page, coio_page_size(), PROT_READ | PROT_WRITE) != 0)
        return -errno;
    __atomic_store_n(slot, value, __ATOMIC_RELEASE);
    if (relro)
        mprotect((void *)page, coio_page_size(), PROT_READ);
    return 1;
}

static int patch_relocs(ElfW(Addr) base, const ElfW(Rela) *rel, size_t bytes, const ElfW(Sym) *symtab,
                        const char *strtab, uintptr_t relro_lo, uintptr_t relro_hi) {
    int patched = 0;
    for (size_t i = 0; i < bytes / sizeof(ElfW(Rela)); i++) {
        unsigned type = ELF64_R_TYPE(rel[i].r_info);
        if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
            continue;
        const ElfW(Sym) *sym = &symtab[ELF64_R_SYM(rel[i].r_info)];
        if (sym->st_shndx != SHN_UNDEF)
            continue; /* the library's own definition, not an import */
        void *hook = hook_for(strtab + sym->st_name);
        if (hook == NULL)
            continue;
        int r = patch_slot((void **)(base + rel[i].r_offset), hook, relro_lo, relro_hi);
        if (r < 0)
            return r;
        patched += r;
    }
    return patched;
}

int coio_hook_library(const char *name) {
    if (name == NULL)
        return -EINVAL;
    struct found_object f = {.name = name};
    dl_iterate_phdr(find_object, &f);
    if (!f.found)
        return -ENOENT;
    const ElfW(Dyn) *dyn = NULL;
    uintptr_t relro_lo = 0, relro_hi = 0;
    for (ElfW(Half) i = 0; i < f.phnum; i++) {
        if (f.phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(f.base + f.phdr[i].p_vaddr);
        else if (f.phdr[i].p_type == PT_GNU_RELRO) {
            relro_lo = f.base + f.phdr[i].p_vaddr;
            relro_hi = relro_lo + f.phdr[i].p_memsz;
        }
    }
    if (dyn == NULL)
        return -ENOEXEC;
    const ElfW(Sym) *symtab = NULL;
    const char *strtab = NULL;
    const ElfW(Rela) *jmprel = NULL, *rela = NULL;
    size_t jmprel_size = 0, rela_size = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        switch (dyn->d_tag) {
        case DT_SYMTAB: symtab = (const ElfW(Sym) *)dyn_ptr(f.base, dyn->d_un.d_ptr); break;
        case DT_STRTAB: strtab = (const char *)dyn_ptr(f.base, dyn->d_un.d_ptr); break;
        case DT_JMPREL: jmprel = (const ElfW(Rela) *)dyn_ptr(f.base, dyn->d_un.d_ptr); break;
        case DT_PLTRELSZ: jmprel_size = dyn->d_un.d_val; break;
        case DT_RELA: rela = (const ElfW(Rela) *)dyn_ptr(f.base, dyn->d_un.d_ptr); break;
        case DT_RELASZ: rela_size = dyn->d_un.d_val; break;
        default: break;
        }
    }
    if (symtab == NULL || strtab == NULL)
        return -ENOEXEC;
    int total = 0, r;
    if (jmprel != NULL) {
        if ((r = patch_relocs(f.base, jmprel, jmprel_size, symtab, strtab, relro_lo, relro_hi)) < 0)
            return r;
        total += r;
    }
    if (rela != NULL) {
        if ((r = patch_relocs(f.base, rela, rela_size, symtab, strtab, relro_lo, relro_hi)) < 0)
            return r;
        total += r;
    }
    return total;
}
