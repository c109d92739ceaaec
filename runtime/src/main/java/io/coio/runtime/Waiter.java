package io.coio.runtime;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One coroutine waiting for one file descriptor to become ready for one direction (read or write):
 * the coio equivalent of a libco {@code stPollItem_t}.
 *
 * <pre>
 * State machine (every change is a compare-and-set from WAITING; the winner unparks the coroutine):
 *
 *   WAITING -> READY      // the carrier's epoll reported the fd ready (carrier thread)
 *   WAITING -> TIMED_OUT  // the carrier's timer fired at the deadline (carrier thread)
 *   WAITING -> STOPPED    // Poller.stopPoll: the socket is being closed (any thread)
 *   WAITING -> FAILED     // epoll refused the fd; the wait falls back to the JDK's poller (carrier thread)
 *   WAITING -> CANCELLED  // the coroutine woke for another reason (interrupt, stale permit) (the coroutine)
 * </pre>
 *
 * <p>Fields other than {@code state} are written before the waiter is published to the carrier
 * (happens-before through the carrier's queue or the same thread) and then only read, except
 * {@code timer} and {@code registration}, which only the carrier's loop thread touches.
 */
final class Waiter {
    static final int WAITING = 0;
    static final int READY = 1;
    static final int TIMED_OUT = 2;
    static final int STOPPED = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;

    private static final AtomicIntegerFieldUpdater<Waiter> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");

    final Thread thread;
    final int fd;
    final boolean write;
    /** Absolute {@link System#nanoTime()} deadline, or 0 for no timeout. */
    final long deadline;

    private volatile int state = WAITING;

    /** Carrier loop thread only: the pending timeout, if armed. */
    ScheduledFuture<?> timer;
    /** Carrier loop thread only: the fd registration this waiter is attached to, if any. */
    FdRegistration registration;

    Waiter(Thread thread, int fd, boolean write, long deadline) {
        this.thread = thread;
        this.fd = fd;
        this.write = write;
        this.deadline = deadline;
    }

    int state() {
        return state;
    }

    boolean isWaiting() {
        return state == WAITING;
    }

    /** Moves WAITING to {@code to}; if this call won, wakes the coroutine. */
    boolean complete(int to) {
        if (STATE.compareAndSet(this, WAITING, to)) {
            LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    /** Called by the coroutine itself once it stops waiting; never unparks. */
    void cancel() {
        STATE.compareAndSet(this, WAITING, CANCELLED);
    }

    /**
     * What a thread dump or debugger shows for a parked coroutine ({@code LockSupport.getBlocker}): e.g.
     * {@code coio readiness wait: fd=12 direction=read deadline=in 59.876 s state=WAITING}. Any thread; racy reads.
     */
    @Override
    public String toString() {
        String due = deadline == 0 ? "none"
                : "in " + String.format(java.util.Locale.ROOT, "%.3f s", (deadline - System.nanoTime()) / 1e9);
        return "coio readiness wait: fd=" + fd + " direction=" + (write ? "write" : "read") + " deadline=" + due
                + " state=" + STATE_NAMES[state];
    }

    private static final String[] STATE_NAMES = {"WAITING", "READY", "TIMED_OUT", "STOPPED", "FAILED", "CANCELLED"};

    /** Key in the stopPoll registry: fd and direction. */
    static long key(int fd, boolean write) {
        return ((long) fd << 1) | (write ? 1 : 0);
    }
}
