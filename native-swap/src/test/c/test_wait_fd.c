/* test_wait_fd.c - the bridge to coio's Java side: native code in a coroutine that must wait
 * for a descriptor suspends to its resumer with (fd, events) instead of blocking the thread;
 * the resumer waits however it likes and resumes it with the revents. Outside a coroutine the
 * same call simply polls. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>

#include "coio_swap.h"
#include "test.h"

/* "Blocking" native code, written once for both worlds. */
static ssize_t read_blocking(int fd, char *buf, size_t len) {
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return n;
        int revents = coio_wait_fd(fd, POLLIN);
        if (revents < 0)
            return revents;
    }
}

static int pipe_fds[2];

static void *reader(void *arg) {
    (void)arg;
    char buf[16];
    ssize_t n = read_blocking(pipe_fds[0], buf, sizeof(buf));
    return (void *)(intptr_t)(n == 5 && buf[0] == 'h' ? 1 : -1);
}

int main(void) {
    CHECK_EQ(pipe(pipe_fds), 0);
    int flags = fcntl(pipe_fds[0], F_GETFL);
    CHECK_EQ(fcntl(pipe_fds[0], F_SETFL, flags | O_NONBLOCK), 0);

    stCoRoutine_t *co;
    CHECK_EQ(co_create(&co, NULL, reader, NULL), 0);
    coio_transfer t = {0, 0, 0};
    CHECK_EQ(coio_resume(co, &t), COIO_WAIT_FD); /* nothing to read: it asks to wait */
    CHECK_EQ(t.fd, pipe_fds[0]);
    CHECK_EQ(t.events, POLLIN);
    CHECK_EQ(coio_state(co), COIO_STATE_SUSPENDED);

    CHECK_EQ(write(pipe_fds[1], "hello", 5), 5);
    struct pollfd p = {t.fd, (short)t.events, 0};
    CHECK_EQ(poll(&p, 1, 1000), 1); /* the resumer's own wait (coio: the carrier's epoll) */
    t.value = (void *)(intptr_t)p.revents;
    CHECK_EQ(coio_resume(co, &t), COIO_FINISHED);
    CHECK_EQ((intptr_t)t.value, 1);
    co_release(co);
    PASS("coio_wait_fd suspends to the resumer with (fd, events)");

    /* outside a coroutine it polls: readable now */
    CHECK_EQ(write(pipe_fds[1], "x", 1), 1);
    CHECK_EQ(coio_wait_fd(pipe_fds[0], POLLIN), POLLIN);
    int closed = dup(pipe_fds[0]);
    close(closed);
    CHECK_EQ(coio_wait_fd(closed, POLLIN), POLLNVAL);
    PASS("coio_wait_fd outside coroutines polls");
    return 0;
}
