package io.coio.runtime;

import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;

/**
 * An explicit coroutine: libco's {@code stCoRoutine_t} on a JDK continuation. <b>Not API</b>: public only
 * for coio's API module ({@code io.coio.api.Coroutine} is the API and documents the behaviour).
 *
 * <p>It always runs on the host thread of a carrier's {@link LoopEnv} (a virtual thread, so that blocking JDK
 * socket calls inside reach coio's hooks, and always the same one across a wait, so that what the JDK ties
 * to the current thread — the socket's lock, monitors — stays consistent). {@link #resume} from a coroutine
 * continues this one right there (nested, the fast path); from a platform thread it runs on that thread's
 * own loop host, on that thread; from a converted thread it runs on its carrier's host while the caller
 * parks.
 *
 * <pre>
 * State machine (one field, {@code state}; transitions out of RUNNING are published by the thread that ran
 * the continuation, after it unmounted, so nobody can continue a continuation that is still mounted):
 *
 *   NEW       -> RUNNING    // resume()
 *   SUSPENDED -> RUNNING    // resume()
 *   WAITING   -> RUNNING    // its wait ended: its home loop's host continues it (LoopEnv only)
 *   RUNNING   -> SUSPENDED  // the body called yield()
 *   RUNNING   -> WAITING    // the body started a wait (CoWait: Coio.poll, CoCond.await, hooked socket I/O)
 *   RUNNING   -> DONE       // the body returned or threw
 *   NEW | SUSPENDED | DONE -> RELEASED   // release()
 * </pre>
 *
 * <p>Threads: {@code state} and {@code arrivals} are atomics. Every other field is touched only by the thread
 * currently running the continuation or by the resumer right before/after {@code Continuation.run}, which
 * orders them (the same thread, or a happens-before through the CAS on {@code state}).
 */
public final class Explicit {
    public static final int NEW = 0;
    public static final int RUNNING = 1;
    public static final int SUSPENDED = 2;
    public static final int WAITING = 3;
    public static final int DONE = 4;
    public static final int RELEASED = 5;
    private static final String[] NAMES = {"NEW", "RUNNING", "SUSPENDED", "WAITING", "DONE", "RELEASED"};

    private static final AtomicIntegerFieldUpdater<Explicit> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Explicit.class, "state");
    private static final AtomicIntegerFieldUpdater<Explicit> ARRIVALS =
            AtomicIntegerFieldUpdater.newUpdater(Explicit.class, "arrivals");

    /** The explicit coroutine running on each hosting thread (set by the resumer around each run). */
    private static final ThreadLocal<Explicit> CURRENT = new ThreadLocal<>();
    /** False until the first explicit coroutine exists: keeps the I/O hook's extra check free for apps without them. */
    private static volatile boolean anyCreated;

    private final String name;
    private final Object facade;
    private volatile int state = NEW;
    /** Two parties meet before a waiting coroutine is continued: its resumer (unmounted) and its waker (fired). */
    private volatile int arrivals;

    private Object continuation;
    /** Value handed across resume/yield (both directions) and the body's result. */
    private Object transfer;
    private Throwable failure;
    /** Why the last run stopped: SUSPENDED, WAITING or DONE (written by the body's thread before it yields). */
    private int stop;
    private boolean hooks = true;
    private Object[] locals;
    private LoopEnv home;

    public Explicit(String name, Object facade, Function<Object, Object> body) {
        this.name = name;
        this.facade = facade;
        this.continuation = ContinuationAccess.create(() -> {
            try {
                transfer = body.apply(transfer);
            } catch (Throwable t) {
                failure = t;
                transfer = null;
            }
            stop = DONE;
        });
        anyCreated = true;
    }

    /** The explicit coroutine running on the calling thread, or null. */
    public static Explicit current() {
        return anyCreated ? CURRENT.get() : null;
    }

    public Object facade() {
        return facade;
    }

    public String name() {
        return name;
    }

    public int state() {
        return state;
    }

    /** Blocking socket waits made so far by coroutines with hooks off (each blocked its carrier). */
    public static long hooksOffBlockingWaits() {
        return HooksOff.BLOCKING_WAITS.get();
    }

    public static String stateName(int s) {
        return NAMES[s];
    }

    /**
     * Runs the coroutine on the calling thread until it yields, starts a wait, or ends.
     *
     * @return the value it yielded, or its result when it ended; null when it started a wait
     * @throws IllegalStateException if it is not NEW or SUSPENDED, or the caller cannot host it
     */
    public Object resume(Object value) {
        if (current() != null) {
            return resumeOnHost(value); // nested: the caller is a coroutine, so this thread is a loop's host
        }
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            return LoopEnv.ofPlatformThread(t).resumeDirect(this, value);
        }
        Carrier c = JdkInternals.carrierOf(t);
        if (c == null) {
            throw new IllegalStateException("coio: resume() on a JDK virtual thread that is not a coio coroutine;"
                    + " resume explicit coroutines from a platform thread or from a thread coio converted");
        }
        return LoopEnv.of(c).resumeFrom(t, this, value);
    }

    /** On a loop's host thread: runs the coroutine here until it yields, waits or ends. */
    Object resumeOnHost(Object value) {
        int s = state;
        if ((s != NEW && s != SUSPENDED) || !STATE.compareAndSet(this, s, RUNNING)) {
            throw new IllegalStateException("coio: cannot resume coroutine '" + name + "' in state " + NAMES[state]
                    + (state == WAITING ? " (it waits for I/O or a CoCond; its event loop resumes it)" : ""));
        }
        return runHere(value, true);
    }

    /** Called by the home loop's host when this coroutine's wait ended. */
    void resumeFromLoop() {
        if (!STATE.compareAndSet(this, WAITING, RUNNING)) {
            throw new AssertionError("coroutine '" + name + "' scheduled in state " + NAMES[state]);
        }
        runHere(null, false);
    }

    private Object runHere(Object value, boolean rethrow) {
        transfer = value;
        Explicit outer = CURRENT.get();
        CURRENT.set(this);
        try {
            ContinuationAccess.run(continuation);
        } finally {
            CURRENT.set(outer);
        }
        Object out = transfer;
        transfer = null;
        int why = stop;
        if (why == WAITING) {
            state = WAITING;
            arrive();
            return null;
        }
        if (why == DONE) {
            continuation = null;
            Throwable f = failure;
            failure = null;
            state = DONE;
            if (f != null) {
                if (rethrow) {
                    if (f instanceof RuntimeException r) {
                        throw r;
                    }
                    if (f instanceof Error e) {
                        throw e;
                    }
                    throw new CompletionException(f);
                }
                uncaught(f);
            }
            return out;
        }
        state = SUSPENDED;
        return out;
    }

    /** {@code co_yield_ct}: back to the resumer with {@code value}; returns the value of the next resume. */
    public static Object yieldValue(Object value) {
        Explicit me = current();
        if (me == null) {
            throw new IllegalStateException("coio: Coroutine.yield() called outside a coroutine");
        }
        me.transfer = value;
        me.stop = SUSPENDED;
        try {
            ContinuationAccess.yieldNow();
        } catch (PinnedYield e) {
            me.transfer = null;
            throw e;
        }
        Object in = me.transfer;
        me.transfer = null;
        return in;
    }

    // ---- waits (CoWait) ----

    void prepareWait(LoopEnv home) {
        this.home = home;
        arrivals = 0;
    }

    /** Inside the coroutine: suspend until the wait's waker {@link #arrive arrives}. */
    void suspendForWait() {
        stop = WAITING;
        ContinuationAccess.yieldNow();
    }

    /** Once by the resumer after the coroutine unmounted, once by the waker: the second schedules it. */
    void arrive() {
        if (ARRIVALS.incrementAndGet(this) == 2) {
            home.schedule(this);
        }
    }

    /** {@code co_release}: drops the coroutine's frames. Only when it is not running or waiting. */
    public void release() {
        for (;;) {
            int s = state;
            if (s == RELEASED) {
                return;
            }
            if (s == RUNNING || s == WAITING) {
                throw new IllegalStateException("coio: cannot release coroutine '" + name + "' while " + NAMES[s]);
            }
            if (STATE.compareAndSet(this, s, RELEASED)) {
                continuation = null;
                locals = null;
                return;
            }
        }
    }

    // ---- hook switch and coroutine-locals (only the coroutine itself calls these) ----

    public boolean hooksEnabled() {
        return hooks;
    }

    public void setHooks(boolean on) {
        hooks = on;
    }

    public Object local(int slot) {
        Object[] l = locals;
        return l != null && slot < l.length ? l[slot] : null;
    }

    public void setLocal(int slot, Object value) {
        Object[] l = locals;
        if (l == null || slot >= l.length) {
            l = locals = l == null ? new Object[Math.max(8, slot + 1)] : Arrays.copyOf(l, Math.max(l.length * 2, slot + 1));
        }
        l[slot] = value;
    }

    @Override
    public String toString() {
        return "Coroutine[" + name + ", " + NAMES[state] + "]";
    }

    private void uncaught(Throwable f) {
        Thread t = Thread.currentThread();
        Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
        if (h != null) {
            h.uncaughtException(t, f);
        } else {
            System.err.println("coio: coroutine '" + name + "' ended with an exception (resumed by its event loop):");
            f.printStackTrace();
        }
    }
}
