package io.coio.runtime;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;

/**
 * A JDK-owned socket fd registered with one carrier's epoll, with at most one reader and one writer
 * coroutine waiting on it (the JDK serialises readers and writers of a socket with its own locks).
 *
 * <p>Interest is armed with {@code EPOLLONESHOT}: after an event is reported the kernel disables the fd
 * until it is re-armed, so a wait costs one {@code epoll_ctl(MOD)} and a finished, timed-out or
 * cancelled wait costs nothing. The registration stays in the epoll set while the fd lives; when the
 * JDK closes the fd the kernel drops it, and a later re-arm of a reused fd number fails with ENOENT,
 * which {@link Carrier} answers by registering afresh.
 *
 * <p>Thread ownership: every method runs on the owning carrier's loop thread. {@link #close()} does
 * nothing because the JDK owns the fd.
 */
final class FdRegistration implements EpollIoHandle {
    private static final int EPOLLIN = EpollIoOps.EPOLLIN.value();
    private static final int EPOLLOUT = EpollIoOps.EPOLLOUT.value();
    private static final int EPOLLERR = EpollIoOps.EPOLLERR.value();
    private static final int EPOLLRDHUP = EpollIoOps.EPOLLRDHUP.value();
    private static final int EPOLLHUP = 0x010;
    private static final int EPOLLONESHOT = 1 << 30;
    /** Interest sets used by coio, created once (EpollIoOps.valueOf allocates for uncached values). */
    private static final EpollIoOps[] INTEREST = new EpollIoOps[4];

    static {
        for (int i = 1; i < 4; i++) {
            int v = EPOLLONESHOT | ((i & 1) != 0 ? EPOLLIN | EPOLLRDHUP : 0) | ((i & 2) != 0 ? EPOLLOUT : 0);
            INTEREST[i] = EpollIoOps.valueOf(v);
        }
    }

    private final FileDescriptor fd;
    private final Carrier carrier;
    IoRegistration registration;
    Waiter reader;
    Waiter writer;

    FdRegistration(int fd, Carrier carrier) {
        this.fd = new FileDescriptor(fd);
        this.carrier = carrier;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    int fdVal() {
        return fd.intValue();
    }

    /** Attaches {@code w} as this fd's reader or writer. */
    void attach(Waiter w) {
        if (w.write) {
            writer = w;
        } else {
            reader = w;
        }
        w.registration = this;
    }

    void detach(Waiter w) {
        if (reader == w) {
            reader = null;
        } else if (writer == w) {
            writer = null;
        }
        w.registration = null;
    }

    /** Arms epoll for the directions that still have a waiting coroutine; throws if epoll refuses. */
    void rearm() {
        int i = (reader != null ? 1 : 0) | (writer != null ? 2 : 0);
        if (i != 0) {
            registration.submit(INTEREST[i]);
        }
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int ops = ((EpollIoEvent) event).ops().value();
        boolean readable = (ops & (EPOLLIN | EPOLLERR | EPOLLRDHUP | EPOLLHUP)) != 0;
        boolean writable = (ops & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0;
        Waiter r = reader;
        Waiter w = writer;
        if (readable && r != null) {
            carrier.wake(r, Waiter.READY);
        }
        if (writable && w != null) {
            carrier.wake(w, Waiter.READY);
        }
        // ONESHOT disabled the fd: re-arm for a direction that is still waiting.
        if (reader != null || writer != null) {
            carrier.rearm(this);
        }
    }

    @Override
    public void close() {
        // The JDK owns the fd; epoll forgets it when the JDK closes it.
    }
}
