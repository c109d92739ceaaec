package io.coio.runtime;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;

/**
 * A file descriptor registered with its home carrier's epoll for as long as it is open, edge-triggered, for both
 * directions: {@code EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET}. A wait costs no {@code epoll_ctl} when it follows
 * a tracked socket operation ({@link FdState}); an untracked wait re-arms with one {@code epoll_ctl(MOD)}, after
 * which the kernel reports the fd at once if it is ready. Each event counts an edge and wakes the waiting
 * coroutine of its direction, on whichever carrier that coroutine runs.
 *
 * <p>The JDK (or a native library) owns the fd: {@link #close()} does nothing, and {@link #retire()} only tells
 * Netty to drop its bookkeeping, never to {@code epoll_ctl(DEL)} a number that may already name another file.
 * The registration is also the {@link FileDescriptor} it hands Netty ({@link #fd()} is this): one object less per
 * open fd, which lives as long as the fd (docs/benchmark.md, "Where the memory of an idle connection goes").
 *
 * <p>Threads: {@link #handle} runs on the home loop; {@link #rearm} on a waiting coroutine's thread or the home
 * loop ({@code epoll_ctl} is thread-safe, Netty's {@code submit} only calls it); {@link #retire} on any thread.
 */
final class FdRegistration extends FileDescriptor implements EpollIoHandle {
    private static final int EPOLLIN = EpollIoOps.EPOLLIN.value();
    private static final int EPOLLOUT = EpollIoOps.EPOLLOUT.value();
    private static final int EPOLLERR = EpollIoOps.EPOLLERR.value();
    private static final int EPOLLRDHUP = EpollIoOps.EPOLLRDHUP.value();
    private static final int EPOLLHUP = 0x010;
    /** Created once: {@code EpollIoOps.valueOf} allocates for values it does not cache. */
    private static final EpollIoOps INTEREST =
            EpollIoOps.valueOf(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EpollIoOps.EPOLLET.value());

    private final FdState state;
    private final Carrier home;
    private volatile IoRegistration registration;

    FdRegistration(FdState state, Carrier home) {
        super(state.fd);
        this.state = state;
        this.home = home;
    }

    @Override
    public FileDescriptor fd() {
        return this;
    }

    /** Home loop, once: after Netty's {@code epoll_ctl(ADD)}, sets the edge-triggered interest (reports readiness now). */
    void registered(IoRegistration registration) {
        this.registration = registration;
        rearm();
    }

    /**
     * Sets the interest again ({@code epoll_ctl(MOD)}): the kernel re-checks the fd and queues an event if it is
     * ready. Throws {@link java.io.UncheckedIOException} if epoll does not know the file this number names now
     * (the fd was closed behind the JDK's close hook and the number reused).
     */
    void rearm() {
        registration.submit(INTEREST);
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int ops = ((EpollIoEvent) event).ops().value();
        if ((ops & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
            state.hungUp(); // before the edge is counted: a skip that sees the edge's count also sees this
        }
        if ((ops & (EPOLLIN | EPOLLERR | EPOLLRDHUP | EPOLLHUP)) != 0) {
            wake(state.edge(FdState.READ), ops);
        }
        if ((ops & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
            wake(state.edge(FdState.WRITE), ops);
        }
    }

    private void wake(Waiter w, int ops) {
        if (w != null) {
            w.readyOps = ops;
            home.waits.wake(w);
        }
    }

    /**
     * Any thread, when the fd closes or epoll forgot it: Netty drops the registration on the home loop. The fd is
     * marked closed for Netty first, so that it skips {@code epoll_ctl(DEL)}: by then the number may name a new
     * file that another registration watches (the kernel drops a closed file from epoll by itself).
     */
    void retire() {
        markClosed();
        IoRegistration r = registration;
        if (r != null) {
            r.cancel();
        }
    }

    /**
     * Both Netty's "close the handle" and "close the fd": never. The JDK owns the fd; epoll forgets it when the JDK
     * closes it. Netty must never close it or remove it from epoll once the JDK has ({@link #retire} marks it closed).
     */
    @Override
    public void close() {
        // nothing
    }
}
