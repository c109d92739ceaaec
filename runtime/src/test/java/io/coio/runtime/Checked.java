package io.coio.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test body that runs on another thread — a coio coroutine, or a virtual thread that a coroutine
 * started — whose failure reaches the test thread: {@link #join} rethrows whatever the body threw. An
 * assertion that fails inside a coroutine otherwise only ends that coroutine, and the test passes.
 *
 * <p>Threads: created, joined and checked by the test thread (or, for {@link #virtual}, created by a
 * coroutine and then handed to the test thread); the body's own thread only sets {@code failure}.
 */
final class Checked {
    /** A test body; anything it throws is the test's failure. */
    interface Body {
        void run() throws Throwable;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Checked(Thread.Builder builder, Body body) {
        this.thread = builder.unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    private Checked(CoioRuntime runtime, String name, Body body) {
        this.thread = runtime.newCoroutine(name, () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    /** Starts {@code body} in a new coroutine of {@code runtime}. */
    static Checked coroutine(CoioRuntime runtime, String name, Body body) {
        Checked c = new Checked(runtime, name, body);
        c.thread.start();
        return c;
    }

    /**
     * Starts {@code body} in a new virtual thread; called inside a coroutine, the thread is a coroutine on the
     * same carrier (it inherits the scheduler).
     */
    static Checked virtual(String name, Body body) {
        Checked c = new Checked(Thread.ofVirtual().name(name), body);
        c.thread.start();
        return c;
    }

    Thread thread() {
        return thread;
    }

    /** Waits up to {@code limit} for the body to end, then rethrows its failure, if any. */
    void join(Duration limit) throws InterruptedException {
        if (!thread.join(limit)) {
            throw new AssertionError(thread + " did not end within " + limit + " (state " + thread.getState() + ")");
        }
        check();
    }

    /** Rethrows the body's failure, if it has failed (does not wait). */
    void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError(thread.getName() + " failed: " + t, t);
        }
    }
}
