package io.coio.api;

import io.coio.runtime.Explicit;

import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An explicit, asymmetric coroutine — libco's {@code co_create}/{@code co_resume}/{@code co_yield_ct}/
 * {@code co_release}/{@code co_self} for Java.
 *
 * <pre>{@code
 * Coroutine gen = Coroutine.create("squares", first -> {
 *     for (int i = 1; ; i++) Coroutine.yield(i * i);
 * });
 * int a = (Integer) gen.resume();   // 1
 * int b = (Integer) gen.resume();   // 4
 * }</pre>
 *
 * <p><b>Where it runs.</b> {@link #resume} runs the coroutine on the calling thread, inside the caller's
 * carrier, until the coroutine {@linkplain #yield(Object) yields}, starts a wait, or ends; then
 * {@code resume} returns. A wait is {@link Coio#poll}, {@link Coio#sleep}, {@link CoCond#await}, or (under
 * the agent, hooks on) a blocking socket call: the coroutine gives control back to its resumer, and when the
 * wait ends <em>the event loop</em> of the thread it waited on continues it — as in libco, where
 * {@code co_eventloop} resumes coroutines parked in {@code co_poll}. A coroutine that waits is therefore not
 * resumable by hand ({@link State#WAITING}); when it later yields, control goes to that event loop.
 *
 * <p>The resumer may be a platform thread (each platform thread gets its own loop and epoll, driven while
 * it is inside {@code resume}, {@code Coio.poll} or {@link Coio#eventLoop}), a thread that coio's agent
 * converted, or another coroutine (nesting). {@code Thread.currentThread()} and {@code ThreadLocal}s inside
 * a coroutine are those of the thread that runs it; per-coroutine values are {@link CoLocal}.
 *
 * <pre>
 * State machine:
 *   NEW       -> RUNNING    // resume()
 *   SUSPENDED -> RUNNING    // resume()
 *   WAITING   -> RUNNING    // its wait ended; its event loop continues it
 *   RUNNING   -> SUSPENDED  // Coroutine.yield()
 *   RUNNING   -> WAITING    // Coio.poll / Coio.sleep / CoCond.await / hooked socket call
 *   RUNNING   -> DONE       // the body returned (resume returns its result) or threw (resume throws it)
 *   NEW | SUSPENDED | DONE -> RELEASED   // release()
 * </pre>
 *
 * <p>Threads: a coroutine runs on one thread at a time; a SUSPENDED one may be resumed from any thread
 * that can host it. Don't yield inside {@code synchronized}: the monitor stays with the thread that ran
 * it (as a pthread mutex held across {@code co_yield_ct} does in libco).
 */
public final class Coroutine {
    /** The coroutine's life cycle; see the table in the class comment. */
    public enum State { NEW, RUNNING, SUSPENDED, WAITING, DONE, RELEASED }

    /** A coroutine body that receives the value of the first {@link #resume(Object)} and returns a result. */
    @FunctionalInterface
    public interface Body {
        Object run(Object firstValue) throws Exception;
    }

    private static final AtomicLong IDS = new AtomicLong();
    private static final State[] STATES = State.values();

    private final Explicit core;

    private Coroutine(String name, Body body) {
        RuntimeCheck.require();
        this.core = new Explicit(name, this, first -> {
            try {
                return body.run(first);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    /** {@code co_create}: a NEW coroutine that will run {@code body} at its first resume. */
    public static Coroutine create(Runnable body) {
        return create("coroutine-" + IDS.incrementAndGet(), body);
    }

    /** {@code co_create} with a name (shown in errors and reports). */
    public static Coroutine create(String name, Runnable body) {
        return new Coroutine(name, first -> {
            body.run();
            return null;
        });
    }

    /** {@code co_create} for a body that takes the first resume's value and returns a result. */
    public static Coroutine create(String name, Body body) {
        return new Coroutine(name, body);
    }

    /** {@code co_resume} with no value. */
    public Object resume() {
        return core.resume(null);
    }

    /**
     * {@code co_resume}: runs this coroutine on the calling thread until it yields, waits, or ends.
     *
     * @param value what the coroutine's pending {@link #yield(Object)} returns (or the body's first value)
     * @return the value it yielded; its result if it ended; null if it started a wait
     * @throws IllegalStateException if it is RUNNING, WAITING, DONE or RELEASED
     * @throws RuntimeException      whatever the body threw (a checked exception wrapped in
     *                               {@link CompletionException})
     */
    public Object resume(Object value) {
        return core.resume(value);
    }

    /** {@code co_yield_ct} with no value. */
    public static Object yield() {
        return Coroutine.yield(null);
    }

    /**
     * {@code co_yield_ct}: suspends the current coroutine and returns {@code value} from its resumer's
     * {@link #resume}; returns the value of the resume that continues it.
     *
     * @throws IllegalStateException outside a coroutine
     */
    public static Object yield(Object value) {
        RuntimeCheck.require();
        return Explicit.yieldValue(value);
    }

    /** {@code co_self}: the coroutine running on this thread, or null outside one. */
    public static Coroutine current() {
        RuntimeCheck.require();
        Explicit e = Explicit.current();
        return e == null ? null : (Coroutine) e.facade();
    }

    /** {@code co_release}: frees the coroutine's frames; it cannot run again. Not while RUNNING or WAITING. */
    public void release() {
        core.release();
    }

    public State state() {
        return STATES[core.state()];
    }

    /** True once the body returned or threw. */
    public boolean isDone() {
        return core.state() == Explicit.DONE;
    }

    public String name() {
        return core.name();
    }

    /**
     * {@code co_enable_hook_sys}: blocking socket calls of the current coroutine yield (the default).
     * Outside a coroutine it does nothing: a converted thread's calls always yield, a platform thread's block.
     */
    public static void enableHooks() {
        RuntimeCheck.require();
        Explicit e = Explicit.current();
        if (e != null) {
            e.setHooks(true);
        }
    }

    /**
     * {@code co_disable_hook_sys}: from now on the current coroutine's blocking socket calls block the OS
     * thread that runs it (its carrier) instead of yielding, as libco's do without hooks. Reported once on
     * stderr and counted ({@link Coio#hooksOffBlockingWaits()}). Needs the agent (without it socket calls are
     * never hooked). {@link Coio#poll} still yields: it is {@code co_poll}, not a hook.
     *
     * @throws IllegalStateException outside a coroutine
     */
    public static void disableHooks() {
        RuntimeCheck.require();
        Explicit e = Explicit.current();
        if (e == null) {
            throw new IllegalStateException("coio: Coroutine.disableHooks() outside a coroutine (hooks are per coroutine)");
        }
        e.setHooks(false);
    }

    /**
     * {@code co_is_enable_sys_hook}: in a coroutine, its switch; outside one, whether this thread's socket
     * calls yield (true for a thread coio converted, false for a platform thread).
     */
    public static boolean hooksEnabled() {
        RuntimeCheck.require();
        Explicit e = Explicit.current();
        return e != null ? e.hooksEnabled() : io.coio.runtime.CoioRuntime.isCoroutine(Thread.currentThread());
    }

    @Override
    public String toString() {
        return core.toString();
    }
}
