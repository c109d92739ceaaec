/*
 * coio_testlib.c - libcoio_swap_test.so: example native coroutines that the Java tests drive
 * through io.coio.nativeswap.NativeCoroutine. Test-only; never packed in the jar.
 *
 * Every routine has libco's signature void *routine(void *arg).
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coio_swap.h"

#define TEST_API __attribute__((visibility("default")))

/* Yields arg, then arg + (each value resumed with), five times; returns the final sum * 2. */
TEST_API void *coio_test_counter(void *arg) {
    intptr_t v = (intptr_t)arg;
    for (int i = 0; i < 5; i++)
        v += (intptr_t)coio_yield((void *)v);
    return (void *)(v * 2);
}

/* Yields 0, 1, 2, ... forever (for benchmarks and cross-thread tests). */
TEST_API void *coio_test_forever(void *arg) {
    (void)arg;
    for (intptr_t i = 0;; i++)
        coio_yield((void *)i);
    return NULL;
}

/* Blocking-style native code: reads up to 64 bytes from the non-blocking fd *(int *)arg,
 * suspending with coio_wait_fd while there is nothing to read. Returns the byte count (or
 * -errno) and leaves the bytes in coio_test_last_read. */
TEST_API char coio_test_last_read[65];

TEST_API void *coio_test_read_fd(void *arg) {
    int fd = *(int *)arg;
    for (;;) {
        ssize_t n = read(fd, coio_test_last_read, 64);
        if (n >= 0) {
            coio_test_last_read[n] = 0;
            return (void *)(intptr_t)n;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return (void *)(intptr_t)-errno;
        int revents = coio_wait_fd(fd, POLLIN);
        if (revents < 0)
            return (void *)(intptr_t)revents;
    }
}

/* pipe2(O_NONBLOCK) for the Java tests: fds[0] read end, fds[1] write end. Returns 0 or -errno. */
TEST_API int coio_test_pipe(int fds[2]) {
    return pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0 ? 0 : -errno;
}

TEST_API long coio_test_write(int fd, const char *data, long len) {
    ssize_t n = write(fd, data, (size_t)len);
    return n >= 0 ? (long)n : -errno;
}

TEST_API void coio_test_close(int fd) {
    close(fd);
}

/* Switches its thread to FE_UPWARD rounding, yields, and returns 1 if it still rounds upward
 * when resumed: the coroutine keeps its own MXCSR, and the JVM never sees it. */
TEST_API void *coio_test_round_up(void *arg) {
    (void)arg;
    fesetround(FE_UPWARD);
    coio_yield((void *)(intptr_t)fegetround());
    return (void *)(intptr_t)(fegetround() == FE_UPWARD);
}

TEST_API int coio_test_get_round(void) {
    return fegetround();
}

TEST_API int coio_test_fe_upward(void) {
    return FE_UPWARD;
}

/* Resumes a nested native coroutine (coio_test_counter) from inside this one and yields what
 * the inner one yields: nesting below a Java-driven coroutine. */
TEST_API void *coio_test_nested(void *arg) {
    (void)arg;
    stCoRoutine_t *inner;
    if (co_create(&inner, NULL, coio_test_counter, (void *)100) != 0)
        return (void *)-1;
    coio_transfer t = {NULL, 0, 0};
    intptr_t sum = 0;
    while (coio_resume(inner, &t) == COIO_YIELDED) {
        sum += (intptr_t)t.value;
        coio_yield(t.value);
        t.value = (void *)1;
    }
    co_release(inner);
    return (void *)sum;
}

/* Fills a stack buffer with a pattern derived from arg, yields 3 times, checks the pattern
 * after each switch. Returns arg if intact, -1 if not (shared-stack test). */
TEST_API void *coio_test_pattern(void *arg) {
    intptr_t id = (intptr_t)arg;
    volatile unsigned char buf[512 + (id % 7) * 100];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(id + i);
    for (int round = 0; round < 3; round++) {
        co_yield_ct();
        for (size_t i = 0; i < sizeof(buf); i++)
            if (buf[i] != (unsigned char)(id + i))
                return (void *)-1;
    }
    return (void *)id;
}

/* A socket pair for the NativeCall tests: fds[0], fds[1]; non-blocking if `nonblock`. 0 or -errno. */
TEST_API int coio_test_socketpair(int fds[2], int nonblock) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0, fds) == 0
               ? 0 : -errno;
}

/* Native code written for coio (explicit coio_poll): reads up to len bytes from the non-blocking
 * fd, waiting up to timeout_ms (-1: no limit) while nothing is there. Returns the byte count,
 * -ETIMEDOUT, or -errno. */
TEST_API long coio_test_read_poll(int fd, char *buf, long len, int timeout_ms) {
    for (;;) {
        ssize_t n = read(fd, buf, (size_t)len);
        if (n >= 0)
            return n;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        int r = coio_poll(&p, 1, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
        if (r < 0)
            return r;
        if (r == 0)
            return -ETIMEDOUT;
    }
}
