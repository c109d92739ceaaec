package io.coio.runtime;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Entry points that the agent's rewritten JDK methods call (through its bootstrap bridge).
 * <b>Not API</b>: public only because the bridge binds to it by method handle.
 *
 * <p>Fast path: every method first asks whether the current thread is a coio coroutine (its class is
 * {@code VirtualThread} and its scheduler is a {@link Carrier}); if not, it returns at once and the JDK's
 * own code runs unchanged.
 */
public final class Hooks {
    /** {@code sun.nio.ch.Net.POLLIN} / {@code POLLOUT} on Linux. */
    static final int POLLIN = 0x1;
    static final int POLLOUT = 0x4;

    private Hooks() {
    }

    /**
     * Replaces {@code sun.nio.ch.Poller.poll(fd, event, nanos, isOpen)} for coroutines: parks the
     * coroutine until its carrier's epoll reports {@code fd} ready for {@code event}, the timeout passes,
     * the socket is closed ({@link #stopPoll}) or the coroutine is interrupted. Like the JDK's poll it may
     * return early; the JDK's callers re-try the operation and enforce their own timeouts.
     *
     * @return true if coio handled the wait; false to let the JDK's poller do it
     */
    public static boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen) throws IOException {
        return poll(fd, event, nanos, isOpen, true);
    }

    /**
     * {@link #poll(int, int, long, BooleanSupplier)}, called by the agent's hook directly: every method between the
     * JDK's {@code Poller.poll} and the park is one more frame in the stack chunk of every parked coroutine (heap per
     * idle connection, and frames to thaw at each wake-up), so this path has no delegating overload and parks with
     * {@code LockSupport.park} itself.
     *
     * @param socketIo the wait of a socket operation: a converted app thread's waits on through interrupts
     *                 (platform-thread semantics). A Selector's wait is not: on a platform thread an interrupt
     *                 wakes {@code select()}, and the JDK's virtual-thread selector loop relies on the wait ending.
     */
    public static boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen, boolean socketIo)
            throws IOException {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return false;
        }
        Carrier carrier = JdkInternals.carrierOf(t);
        if (carrier == null || !carrier.usesEpoll()) {
            return false;
        }
        FdState fdState = carrier.fds.stateFor(fd);
        if (fdState == null) {
            return false; // a number beyond coio's fd table (FdTable.LIMIT): the JDK's poller waits
        }
        if (fdState.reg == null) {
            fdState.registeringFor(carrier.waits.untrackedSocket(fd));
        }
        boolean write = event == POLLOUT;
        int ticket = fdState.takeTicket(write ? FdState.WRITE : FdState.READ);
        long deadline = nanos > 0 ? deadlineAfter(nanos) : 0;
        Explicit explicit = Explicit.current();
        if (explicit != null) {
            return explicitWait(explicit, carrier, fdState, fd, event, nanos, deadline, ticket, isOpen);
        }
        // Kept small (under the JIT's inlining limit): a parked coroutine keeps one compiled frame per method here.
        Waiter w = new Waiter(t, fdState, write, deadline);
        if (socketIo && JdkInternals.appThreadOf(t) != null) {
            appThreadWait(carrier, w, ticket, isOpen, t);
        } else {
            try {
                if (isOpen.getAsBoolean() && !t.isInterrupted()) {
                    carrier.waits.arm(w, ticket);
                    LockSupport.park(w); // may return early: the JDK's caller re-tries
                }
            } finally {
                carrier.waits.disarm(w);
            }
        }
        // epoll refused the fd (not pollable): let the JDK's poller wait for it instead.
        return w.state() != Waiter.FAILED;
    }

    /**
     * The wait of an app's platform thread run by a coroutine: an interrupt does not wake it from socket I/O (the JDK
     * closes the socket only for virtual threads), so it waits on and gets its interrupt status back afterwards.
     */
    private static void appThreadWait(Carrier carrier, Waiter w, int ticket, BooleanSupplier isOpen, Thread t) {
        boolean interrupted = Thread.interrupted();
        try {
            if (isOpen.getAsBoolean()) {
                carrier.waits.arm(w, ticket);
                LockSupport.park(w);
                while (w.isWaiting()) {
                    interrupted |= Thread.interrupted();
                    LockSupport.park(w);
                }
            }
        } finally {
            carrier.waits.disarm(w);
            if (interrupted) {
                t.interrupt();
            }
        }
    }

    /**
     * An explicit coroutine's wait: it yields to its resumer (its loop continues it on the event); with hooks off,
     * or pinned in a class initializer, it blocks its OS thread.
     */
    private static boolean explicitWait(Explicit explicit, Carrier carrier, FdState fdState, int fd, int event,
                                        long nanos, long deadline, int ticket, BooleanSupplier isOpen)
            throws IOException {
        if (!explicit.hooksEnabled()) {
            HooksOff.blockCarrier(explicit, fd, event, nanos);
            return true;
        }
        Thread t = Thread.currentThread();
        PollItem w = new PollItem(t, fdState, event == POLLOUT, deadline, CoWait.prepare());
        try {
            if (isOpen.getAsBoolean() && !t.isInterrupted()) {
                carrier.waits.arm(w, ticket);
                try {
                    w.await();
                } catch (PinnedYield pinned) {
                    HooksOff.blockPinned(fd, event, nanos);
                }
            }
        } finally {
            carrier.waits.disarm(w);
        }
        return w.state() != Waiter.FAILED;
    }

    /**
     * Replaces {@code t.isInterrupted()} where the JDK's socket code ({@code NioSocketImpl.park}, a
     * {@code DatagramSocket}'s park) decides that an interrupted virtual thread's blocking I/O ends with
     * the socket closed. For the coroutine of an app's platform thread it answers false: on a platform
     * thread an interrupt leaves the socket open and the I/O going on, so it must under coio too
     * ({@link #poll} keeps waiting and restores the interrupt status). Where readiness comes from the JDK's
     * poller (no native epoll) the JDK's virtual-thread behaviour stays.
     */
    public static boolean interruptEndsSocketIo(Thread t) {
        if (!t.isInterrupted()) {
            return false;
        }
        if (JdkInternals.appThreadOf(t) == null) {
            return true;
        }
        Carrier c = JdkInternals.carrierOf(t);
        return c == null || !c.usesEpoll();
    }

    /**
     * The state a platform thread would report for {@code coroutine}: a thread blocked in socket I/O (read,
     * accept, connect, select) waits inside a native call and is {@code RUNNABLE}, whereas the coroutine is
     * parked in a readiness wait ({@code WAITING}/{@code TIMED_WAITING}). Any other state is the coroutine's.
     */
    public static Thread.State stateAsPlatformThread(Thread coroutine) {
        Thread.State st = coroutine.getState();
        if ((st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING)
                && LockSupport.getBlocker(coroutine) instanceof Waiter) {
            return Thread.State.RUNNABLE;
        }
        return st;
    }

    /** Replaces {@code Poller.pollSelector}: a Selector's epoll fd waits like a socket's read side. */
    public static boolean pollSelector(int fd, long nanos) throws IOException {
        return poll(fd, POLLIN, nanos, () -> true, false);
    }

    /** Runs before {@code Poller.stopPoll(fd, event)}: wakes a coroutine waiting there (the socket is closing). */
    public static void stopPoll(int fd, int event) {
        FdTable.stopped(fd, event == POLLOUT ? FdState.WRITE : FdState.READ);
    }

    /** Runs before {@code Poller.stopPoll(fd)}: both directions. */
    public static void stopPoll(int fd) {
        stopPoll(fd, POLLIN);
        stopPoll(fd, POLLOUT);
    }

    /**
     * Runs before the JDK closes a socket or pipe fd ({@code UnixDispatcher.close}, any thread, before the number
     * can be reused): coio forgets the fd (its readiness state and its epoll registration).
     */
    public static void socketClosing(int fd) {
        FdTable.closing(fd);
    }

    /** {@link #beforeSocketIo}: not a coroutine, or a socket it never waited on. */
    public static final int NOT_TRACKED = 0;

    /**
     * Runs at the start of a {@code java.net.Socket} read or write attempt ({@code NioSocketImpl.tryRead/tryWrite}),
     * or of a blocking-mode {@code SocketChannel}'s ({@code IOUtil.read/write} in {@code SocketChannelImpl.implRead/
     * implWrite}), whose "would block" is always followed by a park. For a coroutine on a socket it waited on before, returns
     * {@link FdState#SKIP} (-1) when the syscall must fail (drained, no epoll edge since: see {@link FdState}) — the JDK is told
     * "would block" and parks — else the edge count to hand to {@link #afterSocketIo}; {@link #NOT_TRACKED} for
     * any other thread or socket.
     *
     * @param jdkFd the socket's {@code java.io.FileDescriptor}: a new socket on a reused number is a new owner
     */
    public static int beforeSocketIo(Object jdkFd, int fd, boolean write) {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return NOT_TRACKED;
        }
        Carrier carrier = JdkInternals.carrierOf(t);
        if (carrier == null) {
            return NOT_TRACKED;
        }
        FdState st = carrier.fds.get(fd);
        if (st == null) {
            carrier.waits.untrackedAttempt(jdkFd, fd); // its wait, if one follows, registers the fd for this socket
            return NOT_TRACKED;
        }
        int edges = st.beforeTrackedIo(jdkFd, write ? FdState.WRITE : FdState.READ);
        if (edges == FdState.SKIP) {
            carrier.waits.skipped();
        }
        return edges;
    }

    /**
     * Does a tracked attempt ({@link #beforeSocketIo} returned an edge count) of {@code NioSocketImpl.tryRead} or
     * {@code tryWrite} itself, on the app's array, and returns what the JDK's would have ({@link HeapSocketIo}); the
     * caller then hands the result to {@link #afterSocketIo}.
     *
     * @throws IOException as the JDK's attempt would
     */
    public static int heapSocketIo(int fd, boolean write, byte[] b, int off, int len) throws IOException {
        Carrier carrier = JdkInternals.carrierOf(Thread.currentThread());
        if (carrier == null) {
            return HeapSocketIo.NOT_DONE; // tracked attempts are coroutines': not reached
        }
        int n = HeapSocketIo.io(fd, write, b, off, len);
        if (n != HeapSocketIo.NOT_DONE) {
            carrier.waits.heapSocketIo();
        }
        return n;
    }

    /**
     * Runs when a tracked attempt ({@link #beforeSocketIo} returned an edge count) returns {@code n} of {@code len}
     * bytes: EAGAIN or a short count means the socket was drained (read) or full (write) at some moment after
     * {@code edges} was read; a "would block" also leaves a ticket for the wait that follows.
     */
    public static void afterSocketIo(int n, int fd, boolean write, int edges, int len) {
        Carrier carrier = JdkInternals.carrierOf(Thread.currentThread());
        FdState st = carrier == null ? null : carrier.fds.get(fd);
        if (st == null) {
            return;
        }
        st.afterTrackedIo(write ? FdState.WRITE : FdState.READ, n, len, edges);
    }

    /**
     * Runs when a virtual thread could not unmount and is about to park its OS thread
     * ({@code VirtualThread.parkOnCarrierThread}). For a coroutine that still drives its carrier's loop,
     * the loop moves to a fresh OS thread first, so that nothing else on the carrier stalls and the wake-up
     * the pinned coroutine waits for can still be delivered.
     */
    public static void beforePinnedPark(Thread vthread) {
        Carrier carrier = JdkInternals.carrierOf(vthread);
        if (carrier != null) {
            carrier.handOffFromCoroutine(HandOffCause.PINNED_PARK);
        }
    }

    /** {@link #beforeBlocking} causes, as the agent's prologues pass them. */
    public static final int FILE = 0;
    public static final int DNS = 1;
    public static final int BLOCKER = 2;

    /**
     * Runs at the start of a JDK operation that blocks its OS thread and cannot yield (file I/O, a host-name
     * lookup, any {@code jdk.internal.misc.Blocker.begin}): on a coroutine that still drives its carrier's loop,
     * the loop moves to a spare OS thread first, so the carrier's other coroutines keep running while this one
     * blocks. Later blocking calls of the same run cost nothing (the thread no longer drives the loop).
     *
     * @param cause {@link #FILE}, {@link #DNS} or {@link #BLOCKER}
     */
    public static void beforeBlocking(int cause) {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return;
        }
        Carrier carrier = JdkInternals.carrierOf(t);
        if (carrier != null) {
            carrier.handOffFromCoroutine(cause == FILE ? HandOffCause.FILE
                    : cause == DNS ? HandOffCause.DNS : HandOffCause.BLOCKER);
        }
    }

    /**
     * Runs at the start of a file I/O method ({@code FileInputStream.read}, {@code RandomAccessFile} and
     * {@code FileChannel} reads and writes ...), paired with {@link #afterFileIo} when it returns or throws. On a
     * coroutine that drives its carrier's loop the call runs on the loop thread, marked; the carrier's watchdog
     * hands the loop to a spare only if the call is still in progress after {@link DeferredHandOff#DELAY} (a read
     * from the page cache or {@code /dev/urandom} costs no hand-off; one that blocks on a FIFO is handed off). With
     * no watchdog (hand-offs off: {@code blockedms=0}) the loop moves at once, as {@link #beforeBlocking} does.
     *
     * @return the mark to pass to {@link #afterFileIo}; 0 when there is nothing to end
     */
    public static long beforeFileIo() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return 0;
        }
        Carrier carrier = JdkInternals.carrierOf(t);
        return carrier == null ? 0 : carrier.beginBlockingCall(HandOffCause.FILE);
    }

    /** Runs when the file I/O method that {@link #beforeFileIo} marked returns or throws ({@code mark} non-zero). */
    public static void afterFileIo(long mark) {
        Carrier carrier = JdkInternals.carrierOf(Thread.currentThread());
        if (carrier != null) {
            carrier.endBlockingCall(mark);
        }
    }

    /**
     * Runs at the start of {@code Object.wait}: a coroutine that cannot unmount (pinned: inside a class initializer
     * or under a native frame) would wait on its OS thread, so its carrier's loop moves to a spare thread first.
     * An unpinned coroutine's wait unmounts as usual (JDK 24+, also while it holds monitors). With the watchdog on
     * the wait is marked like a file call ({@link DeferredHandOff}) and handed off only if its run is still in it
     * 1 ms later; without it ({@code blockedms=0}) a walk of the coroutine's stack decides now ({@link WaitPinning}:
     * {@code Continuation.isPinned} answers true for every wait on JDK 25).
     */
    public static void beforeObjectWait() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return;
        }
        Carrier carrier = JdkInternals.carrierOf(t);
        if (carrier == null || !carrier.onLoopThread()) {
            return;
        }
        if (carrier.deferred.enabled()) {
            // Go's sysmon rule, as for file I/O: the watchdog hands off a run still in this wait 1 ms later. A wait
            // that unmounts ends the run, which voids the mark: no end call needed, and nothing else to pay.
            carrier.deferred.begin(HandOffCause.PINNED_WAIT);
        } else if (WaitPinning.waitWouldPin()) { // no watchdog (blockedms=0): decide now
            carrier.handOffFromCoroutine(HandOffCause.PINNED_WAIT);
        }
    }

    /**
     * Replaces the JDK's timer for a coroutine's timed park, {@code Thread.sleep} and timed wait
     * ({@code VirtualThread.schedule}, called on the carrier right after the coroutine unmounted): the
     * wake-up goes on the carrier's own timer queue instead of the JDK's "VirtualThread-unparker" threads.
     *
     * @return the scheduled task, or null to let the JDK schedule it
     */
    public static Future<?> schedule(Thread vthread, Runnable task, long delay, TimeUnit unit) {
        Carrier carrier = JdkInternals.carrierOf(vthread);
        return carrier == null ? null : carrier.schedule(task, delay, unit);
    }

    private static long deadlineAfter(long nanos) {
        long d = System.nanoTime() + nanos;
        return d == 0 ? 1 : d; // 0 means "no deadline"
    }
}
