package io.coio.runtime;

import io.netty.channel.IoRegistration;
import io.netty.channel.ManualIoEventLoop;
import io.netty.util.internal.PlatformDependent;

import java.io.UncheckedIOException;
import java.util.Queue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One carrier's readiness waits: how its coroutines start and end a wait for an fd ({@link #arm}, {@link #disarm})
 * and how, as an fd's home, it registers the fd with its epoll ({@link #register}) and wakes the waiter of an edge
 * ({@link #wake}). The rules (when a wait needs no syscall, when it re-arms) are {@link FdState}'s; the epoll side is
 * {@link FdRegistration}'s; the loop that drains the registrations is {@link Carrier}'s.
 *
 * <p>Threads: {@link #arm}, {@link #disarm} and the socket-attempt notes by this carrier's coroutines;
 * {@link #requestRegistration} by any thread; {@link #nextRegistration}, {@link #register} and {@link #wake} by the
 * loop thread. Counters are plain fields read racily by {@code Carrier.stats()}: the loop thread writes
 * {@code wakeups} and {@code registrations}; the coroutines (normally on the loop thread; after a hand-off an
 * increment may be lost) {@code parks}, {@code rearms}, {@code skippedSyscalls} and {@code heapSocketIo}.
 */
final class ReadinessWaits {
    private final Carrier carrier;
    private final ManualIoEventLoop eventLoop;
    private final FdTable fds;
    /** Any thread adds, the loop drains: first waits whose fd this (home) carrier must register with epoll. */
    private final Queue<Waiter> registrations = PlatformDependent.newMpscQueue();

    long parks;
    long wakeups;
    long registered;
    long rearms;
    long skippedSyscalls;
    long heapSocketIo;

    /**
     * The last socket attempt of this carrier's coroutines on an fd without state (the JDK's FileDescriptor and its
     * number): the wait that follows registers the fd for that socket. Written and read by coroutines of this
     * carrier, racily: {@link #untrackedSocket} checks the number, and one number names one open socket.
     */
    private Object untrackedJdkFd;
    private int untrackedFd = -1;

    ReadinessWaits(Carrier carrier, ManualIoEventLoop eventLoop, FdTable fds) {
        this.carrier = carrier;
        this.eventLoop = eventLoop;
        this.fds = fds;
    }

    /**
     * Called by a coroutine of this carrier to start waiting for {@code w}'s fd and direction; the coroutine parks
     * next (an already-settled waiter makes that park return at once). {@code ticket}: the edge count a tracked
     * syscall saw before it would have blocked ({@link FdState}), or 0 for an untracked wait.
     * <ul>
     *   <li>fd not registered yet: the home carrier's loop registers it (edge-triggered, both directions; the
     *       kernel reports it at once if ready) — once per fd, not per wait;
     *   <li>a ticket and a confirmed registration: no syscall; an edge since the ticket settles the wait at once;
     *   <li>otherwise one {@code epoll_ctl(MOD)} re-arms from this thread; if epoll no longer knows the file behind
     *       the number, the state is replaced and the wait moves to the new one.
     * </ul>
     */
    void arm(Waiter w, int ticket) {
        FdState st = w.fdState;
        st.attach(w);
        parks++;
        switch (st.armDecision(w.write ? FdState.WRITE : FdState.READ, ticket)) {
            case FdState.ARM_STOPPED -> w.complete(Waiter.STOPPED);
            case FdState.ARM_REGISTER -> st.claimHome(carrier).waits.requestRegistration(w);
            case FdState.ARM_READY -> w.complete(Waiter.READY);
            case FdState.ARM_REARM -> rearm(w, st);
            default -> { } // ARM_PARK: the next edge wakes it
        }
        if (w.deadline != 0 && w.isWaiting()) {
            w.timer = carrier.schedule(() -> w.complete(Waiter.TIMED_OUT), Math.max(0, w.deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** An untracked wait (no ticket): {@link #arm(Waiter, int)}. */
    void arm(Waiter w) {
        arm(w, 0);
    }

    /** Called by the coroutine when its wait is over, whatever ended it. */
    void disarm(Waiter w) {
        w.cancel();
        w.fdState.detach(w);
        Future<?> timer = w.timer;
        if (timer != null) {
            w.timer = null;
            timer.cancel(false);
        }
    }

    /**
     * Coroutine thread: one epoll_ctl(MOD) makes the kernel re-check the fd. If epoll does not know the file behind
     * the number (closed where the close hook does not see — native code, or no agent — and the number reused), the
     * state is replaced and {@code w} moves to the fresh one, which its home registers.
     */
    private void rearm(Waiter w, FdState st) {
        FdRegistration reg = st.reg;
        try {
            reg.rearm();
            rearms++;
            st.confirmed = true;
        } catch (UncheckedIOException stale) {
            st.detach(w);
            st.closed = true;
            reg.retire();
            st.wakeAll(Waiter.STOPPED);
            FdState fresh = fds.replace(st);
            w.fdState = fresh;
            fresh.attach(w);
            fresh.claimHome(carrier).waits.requestRegistration(w);
        }
    }

    /** Has this (home) carrier's loop register the fd of {@code w} before it next waits. Any thread. */
    private void requestRegistration(Waiter w) {
        registrations.offer(w);
        if (!carrier.onLoopThread()) {
            carrier.wakeLoop(); // the loop may be blocked in epoll (or this thread was handed off)
        }
    }

    /** Loop thread: the next queued registration, or null. */
    Waiter nextRegistration() {
        return registrations.poll();
    }

    boolean hasRegistrations() {
        return !registrations.isEmpty();
    }

    /**
     * Home loop: registers {@code w}'s fd with this carrier's epoll unless an earlier waiter did; then the kernel
     * reports it at once if it is ready. Epoll refusing the fd (not pollable) sends the wait to the JDK's poller.
     */
    void register(Waiter w) {
        FdState st = w.fdState;
        if (st.closed) {
            w.complete(Waiter.STOPPED);
            return;
        }
        FdRegistration reg = st.reg;
        if (reg != null) {
            reg.rearm(); // registered for another waiter meanwhile: re-check for this one
        } else {
            reg = new FdRegistration(st, carrier);
            io.netty.util.concurrent.Future<IoRegistration> f = eventLoop.register(reg);
            if (!f.isSuccess()) {
                w.complete(Waiter.FAILED); // e.g. EPERM: not a pollable fd
                return;
            }
            reg.registered(f.getNow());
            registered++;
            st.reg = reg;
        }
        st.confirmed = true;
    }

    /** Home loop: an edge ended {@code w}'s wait. */
    void wake(Waiter w) {
        AppThreadScheduler s = JdkInternals.appSchedulerOf(w.thread);
        if (s != null) {
            s.wokenBy(carrier); // before the unpark: its resumption goes back to this, the fd's home carrier
        }
        if (w.complete(Waiter.READY)) {
            wakeups++;
        }
    }

    /** A socket attempt on an fd without state: see {@link #untrackedJdkFd}. */
    void untrackedAttempt(Object jdkFd, int fd) {
        untrackedJdkFd = jdkFd;
        untrackedFd = fd;
    }

    /** The JDK FileDescriptor of the last untracked attempt if it was on {@code fd}, else null. */
    Object untrackedSocket(int fd) {
        Object o = untrackedJdkFd;
        return untrackedFd == fd ? o : null;
    }

    /** The socket I/O hook skipped a syscall that had to fail. */
    void skipped() {
        skippedSyscalls++;
    }

    /** A coroutine's socket read or write was made by coio on the app's array ({@link HeapSocketIo}). */
    void heapSocketIo() {
        heapSocketIo++;
    }
}
