package io.coio.api;

import io.coio.runtime.CoWait;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * libco's {@code stCoCond_t}: a condition that coroutines wait on without blocking their thread
 * ({@code co_cond_timedwait}, {@code co_cond_signal}, {@code co_cond_broadcast}).
 *
 * <p>Like libco's, it has no lock and no predicate: a coroutine checks its own state, then waits; a signal
 * wakes one waiter that is waiting at that moment (a signal with no waiter is lost). Waiters are woken in
 * FIFO order. Unlike libco's it works across threads: signal from any thread (or carrier); each waiter is
 * continued by its own event loop. Threads may wait too: a converted thread parks, a platform thread
 * drives its loop.
 *
 * <p>Relation to {@code java.util.concurrent}: a {@code Condition} (or {@code Object.wait}) used inside an
 * explicit coroutine parks the whole thread that runs it — the resumer chain with it — so use {@code CoCond}
 * there; in converted threads both work and yield the carrier.
 */
public final class CoCond {
    private final ConcurrentLinkedQueue<CoWait> waiters = new ConcurrentLinkedQueue<>();

    public CoCond() {
        RuntimeCheck.require();
    }

    /**
     * {@code co_cond_timedwait}: waits for a signal or {@code timeoutMillis} ({@code < 0}: forever).
     *
     * @return true if signalled, false on timeout
     */
    public boolean await(long timeoutMillis) {
        CoWait w = CoWait.prepare();
        waiters.add(w);
        boolean signalled = w.await(timeoutMillis < 0 ? -1 : timeoutMillis * 1_000_000L);
        if (!signalled) {
            waiters.remove(w);
        }
        return signalled;
    }

    /** {@code co_cond_timedwait(cond, -1)}. */
    public void await() {
        await(-1);
    }

    /** {@code co_cond_signal}: wakes the longest waiting waiter, if any; true if one was woken. */
    public boolean signal() {
        for (CoWait w; (w = waiters.poll()) != null; ) {
            if (w.signal()) {
                return true;
            }
        }
        return false;
    }

    /** {@code co_cond_broadcast}: wakes every current waiter; returns how many. */
    public int broadcast() {
        int n = 0;
        for (CoWait w; (w = waiters.poll()) != null; ) {
            if (w.signal()) {
                n++;
            }
        }
        return n;
    }
}
