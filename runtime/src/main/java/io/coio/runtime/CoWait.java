package io.coio.runtime;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One wait of one waiter — an explicit coroutine, a coio coroutine (converted thread) or a platform thread —
 * for one {@link #signal} or a timeout: the primitive under {@code Coio.poll}, {@code CoCond} and coio's
 * hooked socket waits in explicit coroutines. <b>Not API</b>: public for coio's API module.
 *
 * <pre>
 *   PENDING -> SIGNALLED   // signal() (any thread), or a readiness event of a poll item
 *   PENDING -> TIMED_OUT   // the timer fired (the waiter's loop)
 * </pre>
 * The winner wakes the waiter: an explicit coroutine is continued by its home loop ({@link Explicit#arrive}),
 * a thread is unparked. A platform thread that owns its loop drives that loop while it waits.
 */
public final class CoWait {
    private static final int PENDING = 0;
    private static final int SIGNALLED = 1;
    private static final int TIMED_OUT = 2;
    private static final AtomicIntegerFieldUpdater<CoWait> RESULT =
            AtomicIntegerFieldUpdater.newUpdater(CoWait.class, "result");

    private static final Runnable NOTHING = () -> { };

    private final Explicit coroutine;
    private final Thread thread;
    /** Set for an explicit coroutine (its home) and for a platform thread that drives its own loop. */
    private final LoopEnv env;
    private volatile int result;

    private CoWait(Explicit coroutine, Thread thread, LoopEnv env) {
        this.coroutine = coroutine;
        this.thread = thread;
        this.env = env;
    }

    /** Starts a wait for the calling coroutine or thread; publish it, then call {@link #await}. */
    public static CoWait prepare() {
        Thread t = Thread.currentThread();
        Explicit co = Explicit.current();
        if (co != null) {
            Carrier c = JdkInternals.carrierOf(t);
            if (c == null) {
                throw new IllegalStateException("coio: a coroutine waits on a thread that is not a coio carrier");
            }
            LoopEnv home = LoopEnv.of(c);
            co.prepareWait(home);
            return new CoWait(co, t, home);
        }
        if (!t.isVirtual()) {
            return new CoWait(null, t, LoopEnv.ofPlatformThread(t));
        }
        return new CoWait(null, t, null);
    }

    /** The carrier whose epoll this wait's poll items must use. */
    Carrier carrier() {
        if (env != null) {
            return env.carrier;
        }
        Carrier c = JdkInternals.carrierOf(thread);
        if (c == null) {
            throw new IllegalStateException("coio: Coio.poll on a JDK virtual thread that is not a coio coroutine");
        }
        return c;
    }

    /** Any thread: ends the wait; false if it had already ended (signalled or timed out). */
    public boolean signal() {
        return complete(SIGNALLED);
    }

    private boolean complete(int to) {
        if (!RESULT.compareAndSet(this, PENDING, to)) {
            return false;
        }
        if (coroutine != null) {
            coroutine.arrive();
        } else if (env != null) {
            env.carrier.execute(NOTHING); // the platform thread waits in its own epoll: wake the loop
        } else {
            LockSupport.unpark(thread);
        }
        return true;
    }

    public boolean isSignalled() {
        return result == SIGNALLED;
    }

    /**
     * The waiter only: waits until signalled or {@code timeoutNanos} passed ({@code < 0}: no timeout).
     *
     * @return true if signalled, false if timed out
     * @throws PinnedYield if the coroutine cannot yield here; the wait is then over (nobody will wake it)
     */
    public boolean await(long timeoutNanos) {
        if (coroutine != null) {
            Future<?> timer = timeoutNanos >= 0
                    ? env.carrier.scheduleFromAnyThread(() -> complete(TIMED_OUT), timeoutNanos, TimeUnit.NANOSECONDS)
                    : null;
            try {
                coroutine.suspendForWait();
            } catch (PinnedYield pinned) {
                // Not suspended: end the wait ourselves (unless a waker already did) and let the caller block.
                if (timer != null) {
                    timer.cancel(false);
                }
                if (RESULT.compareAndSet(this, PENDING, TIMED_OUT)) {
                    throw pinned;
                }
                return result == SIGNALLED;
            }
            if (timer != null) {
                timer.cancel(false);
            }
        } else if (env != null) {
            Future<?> timer = timeoutNanos >= 0
                    ? env.carrier.scheduleFromAnyThread(() -> complete(TIMED_OUT), timeoutNanos, TimeUnit.NANOSECONDS)
                    : null;
            env.carrier.drive(() -> result != PENDING, true, 0);
            if (timer != null) {
                timer.cancel(false);
            }
        } else {
            long deadline = System.nanoTime() + timeoutNanos;
            while (result == PENDING) {
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        complete(TIMED_OUT);
                    } else {
                        LockSupport.parkNanos(this, left);
                    }
                }
            }
        }
        return result == SIGNALLED;
    }
}
