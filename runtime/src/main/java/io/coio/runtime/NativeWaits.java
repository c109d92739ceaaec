package io.coio.runtime;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Readiness waits for native code: a coroutine whose native call (running on a native-swap stack) asked
 * to wait for a set of file descriptors parks here on its carrier's epoll, through the same
 * {@link Waiter} / {@link ReadinessWaits#arm} path as the JDK's socket waits ({@link Hooks#poll}).
 * <b>Not API</b>: public only for {@code io.coio.nativecall}.
 *
 * <p>Semantics are those of a platform thread blocked in native {@code poll(2)}: the wait ends when one
 * descriptor is ready (for one of its directions), the timeout passes, or spuriously; an interrupt does
 * not end it (native code cannot observe Java interrupts) and the interrupt status is kept. Which
 * descriptors are ready is for the caller to find out (native code polls again without waiting).
 *
 * <p>Threads: called by a coroutine of a carrier, for itself.
 */
public final class NativeWaits {
    /** poll(2) bits. */
    private static final int POLLIN = 0x001;
    private static final int POLLPRI = 0x002;
    private static final int POLLOUT = 0x004;
    private static final int POLLRDHUP = 0x2000;

    private NativeWaits() {
    }

    /**
     * Parks the calling coroutine until one of {@code fds[i]} may be ready for {@code events[i]} or
     * {@code timeoutNanos} passed ({@code -1}: no timeout; no descriptors: just the timeout).
     *
     * @return true when coio waited; false if the caller is not a coio coroutine on an epoll carrier (the
     *         caller must wait some other way)
     */
    public static boolean await(int[] fds, int[] events, long timeoutNanos) {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return false;
        }
        Carrier carrier = JdkInternals.carrierOf(t);
        if (carrier == null || !carrier.usesEpoll()) {
            return false;
        }
        long deadline = timeoutNanos >= 0 ? Math.max(1, System.nanoTime() + timeoutNanos) : 0;
        Waiter[] waiters = waitersFor(t, carrier.fds, fds, events, deadline);
        if (waiters == null) {
            return false; // a number beyond coio's fd table
        }
        boolean interrupted = Thread.interrupted();
        try {
            if (waiters.length == 0) {
                interrupted |= sleepUntil(deadline);
                return true;
            }
            for (Waiter w : waiters) {
                carrier.waits.arm(w);
            }
            while (allWaiting(waiters)) {
                LockSupport.park(waiters[0]);
                interrupted |= Thread.interrupted();
            }
        } finally {
            for (Waiter w : waiters) {
                carrier.waits.disarm(w);
            }
            if (interrupted) {
                t.interrupt();
            }
        }
        return true;
    }

    /** One waiter per (descriptor, direction); the first carries the deadline (one timer per wait). */
    private static Waiter[] waitersFor(Thread t, FdTable table, int[] fds, int[] events, long deadline) {
        Waiter[] out = new Waiter[2 * fds.length];
        int n = 0;
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] < 0) {
                continue; // poll(2) ignores negative descriptors
            }
            FdState fd = table.stateFor(fds[i]);
            if (fd == null) {
                return null;
            }
            if ((events[i] & (POLLIN | POLLPRI | POLLRDHUP)) != 0) {
                out[n] = new Waiter(t, fd, false, n == 0 ? deadline : 0);
                n++;
            }
            if ((events[i] & POLLOUT) != 0) {
                out[n] = new Waiter(t, fd, true, n == 0 ? deadline : 0);
                n++;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean allWaiting(Waiter[] waiters) {
        for (Waiter w : waiters) {
            if (!w.isWaiting()) {
                return false;
            }
        }
        return true;
    }

    /**
     * No descriptors: a sleep (or, without a deadline, one park; the native side waits again). Returns
     * whether an interrupt arrived meanwhile (cleared here, or parkNanos would return at once).
     */
    private static boolean sleepUntil(long deadline) {
        if (deadline == 0) {
            LockSupport.park();
            return Thread.interrupted();
        }
        boolean interrupted = false;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted();
        }
        return interrupted;
    }
}
