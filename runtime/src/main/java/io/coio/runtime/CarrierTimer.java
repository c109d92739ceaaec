package io.coio.runtime;

import io.netty.channel.ManualIoEventLoop;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A coroutine's timer (timed park, sleep, timed wait) requested on its carrier and put on the loop's Netty timer
 * queue by the loop thread itself ({@link Carrier#schedule}): the requesting thread may lose the loop to a hand-off
 * at any moment, so it never touches Netty's queue directly.
 *
 * <p>Threads: created by the requesting thread; {@link #arm} and {@link #fireNow} by the loop thread;
 * {@link #cancel} and the queries by any thread (the JDK cancels from the woken coroutine).
 */
final class CarrierTimer implements Future<Object> {
    private final Runnable task;
    private final long deadline;
    private volatile boolean cancelled;
    private volatile io.netty.util.concurrent.Future<?> armed;

    CarrierTimer(Runnable task, long deadline) {
        this.task = task;
        this.deadline = deadline;
    }

    /** Loop thread: puts the task on the loop's timer queue unless it was cancelled first. */
    void arm(ManualIoEventLoop loop) {
        if (cancelled) {
            return;
        }
        armed = loop.schedule(task, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (cancelled) {
            armed.cancel(false); // cancel() ran between the check and the publication
        }
    }

    /** Loop thread: arming failed; run the task now (an early wake-up is allowed, a lost one is not). */
    void fireNow() {
        if (!cancelled) {
            task.run();
        }
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
        cancelled = true;
        io.netty.util.concurrent.Future<?> f = armed;
        return f == null || f.cancel(false);
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean isDone() {
        io.netty.util.concurrent.Future<?> f = armed;
        return cancelled || (f != null && f.isDone());
    }

    @Override
    public Object get() {
        throw new UnsupportedOperationException("a coroutine timer has no result");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a coroutine timer has no result");
    }
}
