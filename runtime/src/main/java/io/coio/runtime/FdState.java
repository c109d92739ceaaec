package io.coio.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * coio's view of one open file descriptor that a coroutine has waited on: its edge-triggered epoll registration
 * on one <em>home</em> carrier for the fd's whole life, the edges that carrier saw per direction, what the last
 * tracked read or write learned, and the coroutines waiting. One per fd number while the fd is open
 * ({@link FdTable}); the JDK's socket close drops it ({@link FdTable#closing}).
 *
 * <p>Readiness tracking, per direction (read, write); the argument that it never loses a wake-up is in
 * {@code docs/design-notes.md}, "Edge-triggered readiness":
 * <pre>
 *   edges      counts the epoll events the home loop reported for the direction (starts at 1, never 0)
 *   drainedAt  the edge count read just before the last tracked syscall that found the socket drained
 *              (read: EAGAIN or fewer bytes than asked; write: EAGAIN or fewer bytes than given); 0: none
 *   ticket     set when a tracked operation hands "would block" (real or skipped) to the JDK, which parks next:
 *              the wait compares it with edges instead of asking the kernel; taken (reset to 0) by that wait
 *
 *   skip rule  a tracked syscall is not made (the JDK is told "would block") when the registration is confirmed
 *              for this socket, no hang-up was reported, and edges == drainedAt: the socket was drained after
 *              every edge counted so far, and any data or space that came since raises an edge that the home
 *              loop has not reported yet
 *   wait rule  ticket != 0 and edges != ticket: an edge came after the syscall started; do not park.
 *              ticket != 0 and edges == ticket: park; the next edge wakes the waiter.
 *              no ticket (an untracked wait: accept, connect, selector, channel, native fd): re-arm with
 *              epoll_ctl(MOD), which makes the kernel report the fd at once if it is ready now.
 * </pre>
 *
 * <p>Registration state: {@code reg == null} (not registered yet) -> registered (the home loop, once) -> the fd
 * closes ({@code closed}, from the closing thread) or epoll forgets it (a MOD fails: the fd number now names
 * another file; this state is replaced in the table).
 *
 * <p>Threads: {@code edges} are written by the home carrier's loop only; {@code drainedAt}, {@code ticket},
 * {@code owner} by the coroutine doing the I/O (the JDK's per-direction locks serialise them); the waiter
 * slots by the waiting coroutine (set, cleared) and read by the home loop and by closing threads.
 */
final class FdState {
    static final int READ = 0;
    static final int WRITE = 1;

    private static final VarHandle READ_TICKET;
    private static final VarHandle WRITE_TICKET;
    private static final VarHandle READ_WAITER;
    private static final VarHandle WRITE_WAITER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            READ_TICKET = l.findVarHandle(FdState.class, "readTicket", int.class);
            WRITE_TICKET = l.findVarHandle(FdState.class, "writeTicket", int.class);
            READ_WAITER = l.findVarHandle(FdState.class, "readWaiter", Waiter.class);
            WRITE_WAITER = l.findVarHandle(FdState.class, "writeWaiter", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int fd;
    /** The carrier whose epoll holds this fd; set once by the first waiter ({@link #claimHome}). */
    private volatile Carrier home;
    /** The Netty registration on the home carrier; null until the home loop registered the fd. */
    volatile FdRegistration reg;
    /** True once a registration or re-arm proved that epoll watches the file this fd number names now. */
    volatile boolean confirmed;
    /** The JDK FileDescriptor object of the last tracked operation (a new socket on a reused number differs). */
    volatile Object owner;

    volatile boolean closed;
    /**
     * Set for good once epoll reported {@code EPOLLRDHUP}, {@code EPOLLHUP} or {@code EPOLLERR}: after the peer's FIN
     * (or an error) a short read no longer means "drained" — the next read returns end-of-stream (or the error) at
     * once, and no further edge would come to wake a skipped one. Nothing is skipped on such an fd any more.
     */
    private volatile boolean hungUp;

    // Per direction, as fields rather than arrays indexed by direction: this object lives as long as its fd, so in
    // a server with many idle connections each array's header counts (four arrays: 96 bytes per fd).
    private volatile int readEdges = 1;
    private volatile int writeEdges = 1;
    private volatile int readDrainedAt;
    private volatile int writeDrainedAt;
    private volatile int readTicket;
    private volatile int writeTicket;
    /** The coroutine waiting for that direction, if any. */
    private volatile Waiter readWaiter;
    private volatile Waiter writeWaiter;

    FdState(int fd) {
        this.fd = fd;
    }

    /** The home carrier: the one already chosen, else {@code candidate}. Any thread. */
    Carrier claimHome(Carrier candidate) {
        Carrier h = home;
        if (h != null) {
            return h;
        }
        synchronized (this) {
            if (home == null) {
                home = candidate;
            }
            return home;
        }
    }

    // ---- edges (home loop) ----

    /** Home loop: epoll reported the fd; counts the edge, then returns the direction's waiter to wake (in that order). */
    Waiter edge(int dir) {
        int e = edges(dir);
        int next = e == Integer.MAX_VALUE ? 1 : e + 1;
        if (dir == READ) {
            readEdges = next;
        } else {
            writeEdges = next;
        }
        return waiter(dir);
    }

    int edges(int dir) {
        return dir == READ ? readEdges : writeEdges;
    }

    /** Home loop, before it counts the edge of an event with RDHUP, HUP or ERR: see {@link #hungUp}. */
    void hungUp() {
        hungUp = true;
    }

    /**
     * The first wait, before the fd is registered: {@code jdkFd} (the socket whose untracked attempt just found it
     * not ready, or null) is the file the registration will watch, so its first tracked attempt needs no re-arm.
     */
    void registeringFor(Object jdkFd) {
        if (reg == null && owner == null && jdkFd != null) {
            owner = jdkFd;
        }
    }

    // ---- tracked operations (the coroutine doing the I/O) ----

    /** What a tracked attempt should do: {@link #SKIP} the syscall, or make it; then the edge count it started at. */
    static final int SKIP = -1;

    /**
     * Before a tracked syscall of {@code jdkFd} in direction {@code dir}: {@link #SKIP} (leaving a ticket for the wait
     * that follows) if the socket was drained after every edge counted so far, else the edge count now (never 0).
     */
    int beforeTrackedIo(Object jdkFd, int dir) {
        if (owner != jdkFd) {
            owner = jdkFd;
            confirmed = false; // maybe another file behind this number: the next wait re-arms, which proves it
        }
        int e = edges(dir);
        if (confirmed && !hungUp && (dir == READ ? readDrainedAt : writeDrainedAt) == e) {
            setTicket(dir, e);
            return SKIP;
        }
        return e;
    }

    /**
     * After a tracked syscall that started at edge count {@code edgesBefore} returned {@code n} of {@code len} bytes:
     * EAGAIN or a short count means drained (read) or full (write) at a moment after {@code edgesBefore} was read; a
     * "would block" also leaves a ticket for the wait that follows.
     */
    void afterTrackedIo(int dir, int n, int len, int edgesBefore) {
        boolean wouldBlock = n == UNAVAILABLE;
        if (wouldBlock || (n >= 0 && n < len)) {
            if (dir == READ) {
                readDrainedAt = edgesBefore;
            } else {
                writeDrainedAt = edgesBefore;
            }
        }
        setTicket(dir, wouldBlock && confirmed ? edgesBefore : 0);
    }

    private void setTicket(int dir, int ticket) {
        if (dir == READ) {
            readTicket = ticket;
        } else {
            writeTicket = ticket;
        }
    }

    /** The ticket of the direction's last tracked "would block", or 0; resets it. */
    int takeTicket(int dir) {
        return dir == READ ? (int) READ_TICKET.getAndSet(this, 0) : (int) WRITE_TICKET.getAndSet(this, 0);
    }

    /** {@code sun.nio.ch.IOStatus.UNAVAILABLE}: "would block". */
    static final int UNAVAILABLE = -2;

    // ---- the start of a wait (ReadinessWaits.arm), after the waiter is attached ----

    static final int ARM_STOPPED = 0;
    static final int ARM_REGISTER = 1;
    static final int ARM_READY = 2;
    static final int ARM_PARK = 3;
    static final int ARM_REARM = 4;

    /**
     * How a wait in direction {@code dir} with {@code ticket} starts (the waiter is attached first, so an edge
     * counted after this check finds it): the fd is closed; it must be registered (home loop); an edge came after
     * the tracked syscall, so the wait is over; park until the next edge; or re-arm with epoll_ctl(MOD).
     */
    int armDecision(int dir, int ticket) {
        if (closed) {
            return ARM_STOPPED;
        }
        if (reg == null) {
            return ARM_REGISTER;
        }
        if (ticket != 0 && confirmed) {
            return edges(dir) != ticket ? ARM_READY : ARM_PARK;
        }
        return ARM_REARM;
    }

    // ---- waiters ----

    Waiter waiter(int dir) {
        return dir == READ ? readWaiter : writeWaiter;
    }

    /** The waiting coroutine: attaches {@code w}; a waiter already there is woken (cannot happen under the JDK's locks). */
    void attach(Waiter w) {
        Waiter previous = w.write ? (Waiter) WRITE_WAITER.getAndSet(this, w) : (Waiter) READ_WAITER.getAndSet(this, w);
        if (previous != null && previous != w) {
            previous.complete(Waiter.READY); // a spurious wake-up is safe: the JDK re-tries the operation
        }
    }

    /** The waiting coroutine, when its wait is over: detaches {@code w} unless another waiter replaced it. */
    void detach(Waiter w) {
        if (w.write) {
            WRITE_WAITER.compareAndSet(this, w, null);
        } else {
            READ_WAITER.compareAndSet(this, w, null);
        }
    }

    /** Any thread: the fd is closing or was forgotten by epoll; wakes both waiters with {@code state}. */
    void wakeAll(int state) {
        for (int dir = READ; dir <= WRITE; dir++) {
            Waiter w = waiter(dir);
            if (w != null) {
                w.complete(state);
            }
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + (reg == null ? " (not registered)" : " (registered on carrier " + home.id + ")")
                + (closed ? " closed" : "");
    }
}
