/*
 * epoll_echo: the benchmark's anchor from outside the JVM -- a minimal single-threaded C epoll echo
 * server, what an echo costs in syscalls and CPU without a runtime, a GC or coroutines (what libco's
 * own example_echosvr costs, minus its coroutine switches). Written for coio's benchmark; not libco code.
 *
 *   epoll_echo [port] [--bind ADDR] [--et]      (port 0, the default, picks a free one)
 *
 * Prints "listening on <port>" once it accepts, like the Java examples, so the bench scripts drive it
 * the same way. Echoes every byte until EOF; closes on EOF or error.
 *
 * Readiness: each fd is registered once for its lifetime (no epoll_ctl per round trip).
 *  - level-triggered (default): per round trip epoll_wait (shared by the ready fds) + one read + one
 *    write; a read fills at most the 64 KiB buffer and level triggering reports the rest at the next
 *    epoll_wait, so no read is made just to see EAGAIN. This is the fewest syscalls an epoll echo
 *    server can make, and so the floor to compare the others with.
 *  - --et (edge-triggered): reads until a read returns less than the buffer (a short read means the
 *    socket was drained at that moment; data arriving later raises a new edge), the scheme issue 8
 *    asks of coio's carriers. Same syscall count as level-triggered for small messages.
 * Writes that do not complete keep the rest in a per-connection buffer and wait for EPOLLOUT (one
 * epoll_ctl each way): not hit by 128-byte echoes on loopback, but correct for any load.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MAX_EVENTS 512

struct conn {
  int fd;
  char *pending; /* unwritten rest of the last echo, or NULL */
  size_t pending_len, pending_off;
};

static int epfd;
static int edge;
static char buf[BUF_SIZE];

static void die(const char *what) { perror(what); exit(1); }

static void close_conn(struct conn *c) {
  close(c->fd); /* close removes the fd from the epoll set */
  free(c->pending);
  free(c);
}

/* Writes len bytes; keeps what the socket does not take and waits for EPOLLOUT. 0 ok, -1 closed. */
static int send_all(struct conn *c, const char *data, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(c->fd, data + off, len - off);
    if (n > 0) { off += (size_t) n; continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      c->pending = malloc(len - off);
      if (!c->pending) return -1;
      memcpy(c->pending, data + off, len - off);
      c->pending_len = len - off;
      c->pending_off = 0;
      struct epoll_event ev = {.events = EPOLLOUT | (edge ? EPOLLET : 0), .data.ptr = c};
      if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) return -1;
      return 0;
    }
    return -1;
  }
  return 0;
}

/* EPOLLOUT after a short write: flush the rest, then listen for input again. */
static int flush_pending(struct conn *c) {
  while (c->pending_off < c->pending_len) {
    ssize_t n = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
    if (n > 0) { c->pending_off += (size_t) n; continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return 0;
    return -1;
  }
  free(c->pending);
  c->pending = NULL;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (edge ? EPOLLET : 0), .data.ptr = c};
  return epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Input ready: read and echo. Level-triggered: one read; edge-triggered: until a short read. */
static int on_readable(struct conn *c) {
  for (;;) {
    ssize_t n = read(c->fd, buf, BUF_SIZE);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? 0 : -1;
    }
    if (send_all(c, buf, (size_t) n) < 0) return -1;
    if (c->pending || !edge || n < BUF_SIZE) return 0; /* a pending write resumes input after EPOLLOUT */
  }
}

static void accept_all(int lfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EMFILE && errno != ENFILE) perror("accept4");
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) { close(fd); continue; }
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (edge ? EPOLLET : 0), .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) { perror("epoll_ctl"); close_conn(c); }
  }
}

int main(int argc, char **argv) {
  int port = 0;
  const char *bind_addr = "127.0.0.1";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--et")) edge = 1;
    else if (!strcmp(argv[i], "--bind") && i + 1 < argc) bind_addr = argv[++i];
    else if (argv[i][0] >= '0' && argv[i][0] <= '9') port = atoi(argv[i]);
    else { fprintf(stderr, "usage: epoll_echo [port] [--bind ADDR] [--et]\n"); return 2; }
  }
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
  if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", bind_addr); return 2; }
  if (bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0) die("bind");
  if (listen(lfd, 4096) < 0) die("listen");
  socklen_t len = sizeof addr;
  if (getsockname(lfd, (struct sockaddr *) &addr, &len) < 0) die("getsockname");
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL}; /* NULL marks the listener */
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) < 0) die("epoll_ctl");
  printf("listening on %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (!c) { accept_all(lfd); continue; }
      int rc = 0;
      if (c->pending) {
        if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) rc = flush_pending(c);
      } else if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        rc = on_readable(c);
      }
      if (rc < 0) close_conn(c);
    }
  }
}
