package io.coio.runtime;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One coroutine waiting for one file descriptor to become ready for one direction (read or write):
 * the coio equivalent of a libco {@code stPollItem_t}.
 *
 * <pre>
 * State machine (every change is a compare-and-set from WAITING; the winner unparks the coroutine):
 *
 *   WAITING -> READY      // the fd's home carrier reported an edge (home loop thread), or the wait's ticket
 *                         // shows an edge came after the syscall that would have blocked (the coroutine)
 *   WAITING -> TIMED_OUT  // the timer fired at the deadline (the coroutine's carrier loop)
 *   WAITING -> STOPPED    // Poller.stopPoll or the JDK's close: the socket is being closed; or epoll no
 *                         // longer knows the file behind the number (any thread)
 *   WAITING -> FAILED     // epoll refused the fd; the wait falls back to the JDK's poller (home loop thread)
 *   WAITING -> CANCELLED  // the coroutine woke for another reason (interrupt, stale permit) (the coroutine)
 * </pre>
 *
 * <p>Fields other than {@code state} are written by the waiting coroutine before the waiter is published (attached
 * to its {@link FdState}, queued to the home carrier) and then only read; {@code timer} is only touched by the
 * waiting coroutine.
 */
class Waiter {
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
    /** The fd's state in the waiting carrier's table (replaced by the coroutine if epoll forgot the fd). */
    FdState fdState;
    final boolean write;
    /** Absolute {@link System#nanoTime()} deadline, or 0 for no timeout. */
    final long deadline;

    private volatile int state = WAITING;

    /**
     * The ops of the epoll event that ended the wait ({@code EPOLLIN}, {@code EPOLLOUT}, ... — the same bits as
     * {@code poll(2)}'s): written by the home loop before it completes the wait, read after seeing READY.
     */
    int readyOps;

    /** The waiting coroutine only: the pending timeout, if armed. */
    Future<?> timer;

    Waiter(Thread thread, FdState fdState, boolean write, long deadline) {
        this.thread = thread;
        this.fd = fdState.fd;
        this.fdState = fdState;
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
            wake();
            return true;
        }
        return false;
    }

    /** Wakes the waiter after it won {@link #complete}; {@link PollItem} ends a CoWait instead. */
    void wake() {
        LockSupport.unpark(thread);
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
}
