/*
 * hooktest_lib.c - libcoio_hooktest.so: a stand-in for an unmodified C client library. It knows
 * nothing of coio (not linked to it) and makes plain blocking libc calls; the Java tests rewrite
 * its GOT with coio_hook_library("libcoio_hooktest.so") and check that the calls then yield.
 * Every function returns its result, or -errno.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

API long hooktest_recv(int fd, char *buf, long len) {
    ssize_t n = recv(fd, buf, (size_t)len, 0);
    return n >= 0 ? n : -errno;
}

API long hooktest_read(int fd, char *buf, long len) {
    ssize_t n = read(fd, buf, (size_t)len);
    return n >= 0 ? n : -errno;
}

API long hooktest_write(int fd, const char *buf, long len) {
    ssize_t n = write(fd, buf, (size_t)len);
    return n >= 0 ? n : -errno;
}

/* poll(2) on one fd for POLLIN: the ready count (0 on timeout) or -errno; revents in *revents. */
API long hooktest_poll_in(int fd, int timeout_ms, int *revents) {
    struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
    int n = poll(&p, 1, timeout_ms);
    *revents = p.revents;
    return n >= 0 ? n : -errno;
}

/* select(2) for reading on one fd with a timeout in ms (-1: none): ready count or -errno. */
API long hooktest_select_in(int fd, int timeout_ms) {
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int n = select(fd + 1, &r, NULL, NULL, timeout_ms < 0 ? NULL : &tv);
    if (n < 0)
        return -errno;
    return n > 0 && FD_ISSET(fd, &r) ? n : n;
}

API long hooktest_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    return nanosleep(&ts, NULL) == 0 ? 0 : -errno;
}

API long hooktest_set_rcvtimeo(int fd, long ms) {
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 ? 0 : -errno;
}

API long hooktest_flags(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 ? fl : -errno;
}

/* A blocking TCP client: connect to 127.0.0.1:port, send msg, read until `expect` bytes came
 * (into out), close. Returns the byte count read or -errno. */
API long hooktest_echo_client(int port, const char *msg, char *out, long expect) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    long r = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        r = -errno;
        goto out;
    }
    size_t len = strlen(msg);
    if (send(fd, msg, len, 0) != (ssize_t)len) {
        r = -errno;
        goto out;
    }
    while (r < expect) {
        ssize_t n = recv(fd, out + r, (size_t)(expect - r), 0);
        if (n <= 0) {
            r = n == 0 ? -ECONNRESET : -errno;
            goto out;
        }
        r += n;
    }
out:
    close(fd);
    return r;
}

/* A blocking TCP socket with SO_SNDTIMEO = ms connecting to 127.0.0.1:port: 0 or -errno. */
API long hooktest_connect_timeout(int port, long ms) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    long r = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
        r = -errno;
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
            r = -errno;
    }
    close(fd);
    return r;
}

/* A blocking listening socket on 127.0.0.1, any port (written to *port): the fd or -errno. */
API long hooktest_listen(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        long r = -errno;
        close(fd);
        return r;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* accept(2) on a blocking listening socket: the new fd or -errno. */
API long hooktest_accept(int fd) {
    int c = accept(fd, NULL, NULL);
    return c >= 0 ? c : -errno;
}

API long hooktest_close(int fd) {
    return close(fd) == 0 ? 0 : -errno;
}
