package io.coio.agent.internal.bridge;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/*
 * WARNING: this class is copied into java.base as sun.nio.ch.CoioBridge and called from rewritten JDK
 * methods (Poller, VirtualThread, Thread, and in detect mode every method in BlockingCalls). It must use only
 * JDK types, must not reference any other coio class (nor have nested classes or lambdas: only this one class
 * is copied), and must never throw anything the JDK method it sits in could not have thrown -- except the
 * Error that detect mode's onblock=throw raises on purpose (created by agent code, not here).
 */

/**
 * The bootstrap-visible bridge between the JDK's rewritten methods and coio (BlockHound's
 * {@code BlockHoundRuntime} pattern). Each coroutine-mode hook is a {@link MutableCallSite}: its target
 * starts as "do nothing" ({@link MethodHandles#empty}: false, null or no-op), so the JDK's code runs
 * unchanged, and the agent connects coio's handler once coio is running. Through the call site's
 * invoker (a constant) the JIT inlines the handler into the JDK method, so a hook costs what the
 * handler costs; connecting or disconnecting a hook deoptimises the code that inlined it. Disconnecting
 * every hook turns coio off completely.
 *
 * <p>Not API.
 */
public final class CoioBridge {
    private static final MutableCallSite POLL = site(boolean.class, int.class, int.class, long.class, BooleanSupplier.class);
    private static final MutableCallSite POLL_SELECTOR = site(boolean.class, int.class, long.class);
    private static final MutableCallSite STOP_POLL = site(void.class, int.class, int.class);
    private static final MutableCallSite PINNED_PARK = site(void.class, Thread.class);
    private static final MutableCallSite SCHEDULE = site(Future.class, Thread.class, Runnable.class, long.class,
            TimeUnit.class);
    private static final MutableCallSite THREAD_START = site(boolean.class, Thread.class);
    private static final MutableCallSite SHADOW_OF = site(Thread.class, Thread.class);
    private static final MutableCallSite BEFORE_BLOCKING = site(void.class, int.class);
    private static final MutableCallSite BEFORE_WAIT = site(void.class);

    /** {@code (int fd, int event, long nanos, BooleanSupplier isOpen) boolean}: true if coio did the wait. */
    private static final MethodHandle poll = POLL.dynamicInvoker();
    /** {@code (int fd, long nanos) boolean}. */
    private static final MethodHandle pollSelector = POLL_SELECTOR.dynamicInvoker();
    /** {@code (int fd, int event) void}. */
    private static final MethodHandle stopPoll = STOP_POLL.dynamicInvoker();
    /** {@code (Thread vthread) void}. */
    private static final MethodHandle pinnedPark = PINNED_PARK.dynamicInvoker();
    /** {@code (Thread vthread, Runnable task, long delay, TimeUnit unit) Future}: null to use the JDK's timer. */
    private static final MethodHandle schedule = SCHEDULE.dynamicInvoker();
    /** {@code (Thread t) boolean}: true if the thread was started as a coroutine instead. */
    private static final MethodHandle threadStart = THREAD_START.dynamicInvoker();
    /** {@code (Thread t) Thread}: the coroutine running app thread {@code t}, or null. */
    private static final MethodHandle shadowOf = SHADOW_OF.dynamicInvoker();
    /** {@code (int cause) void}: a JDK operation that blocks its OS thread starts (file I/O, DNS, Blocker.begin). */
    private static final MethodHandle beforeBlocking = BEFORE_BLOCKING.dynamicInvoker();
    /** {@code () void}: Object.wait starts. */
    private static final MethodHandle beforeWait = BEFORE_WAIT.dynamicInvoker();
    /** False until the first app thread is converted: keeps the Thread-method hooks at one field load. */
    public static volatile boolean anyShadow;

    // ---- blocking-call reports (detect mode; coroutine mode's report=all) ----
    /** False unless coio watches blocking calls: then it is all a watched JDK method reads. */
    public static volatile boolean detect;
    /** {@code (Thread t) boolean}: must t not block? Asked once per thread, again when its name or {@link #epoch} changes. */
    public static volatile MethodHandle nonBlocking;
    /** {@code (int call, Object self, long arg) void}: a watched call on a non-blocking thread; may throw an Error. */
    public static volatile MethodHandle blockingCall;
    /** Replaced whenever the rules change (a thread is marked): makes every thread's cached answer stale. */
    public static volatile Object epoch = new Object();

    /** Per thread: {name, epoch, verdict, busy} (see {@link #blocking}); only ever touched by its own thread. */
    private static final ThreadLocal<Object[]> THREAD_STATE = new ThreadLocal<>();
    private static final int NAME = 0;
    private static final int EPOCH = 1;
    private static final int VERDICT = 2;
    private static final int BUSY = 3;

    private CoioBridge() {
    }

    /**
     * Connects hook {@code name} to {@code handler}, or back to "do nothing" if {@code handler} is null.
     * Called by the agent's installer only.
     */
    public static void connect(String name, MethodHandle handler) {
        MutableCallSite site = switch (name) {
            case "poll" -> POLL;
            case "pollSelector" -> POLL_SELECTOR;
            case "stopPoll" -> STOP_POLL;
            case "pinnedPark" -> PINNED_PARK;
            case "schedule" -> SCHEDULE;
            case "threadStart" -> THREAD_START;
            case "shadowOf" -> SHADOW_OF;
            case "beforeBlocking" -> BEFORE_BLOCKING;
            case "beforeWait" -> BEFORE_WAIT;
            case "nonBlocking" -> {
                nonBlocking = handler;
                yield null;
            }
            case "blockingCall" -> {
                blockingCall = handler;
                yield null;
            }
            default -> throw new IllegalArgumentException("no hook named " + name);
        };
        if (site != null) {
            site.setTarget(handler == null ? MethodHandles.empty(site.type()) : handler.asType(site.type()));
            MutableCallSite.syncAll(new MutableCallSite[] {site});
        }
    }

    private static MutableCallSite site(Class<?> returns, Class<?>... params) {
        MethodType type = MethodType.methodType(returns, params);
        return new MutableCallSite(MethodHandles.empty(type));
    }

    public static boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen) throws IOException {
        try {
            return (boolean) poll.invokeExact(fd, event, nanos, isOpen);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new InternalError(t);
        }
    }

    public static boolean pollSelector(int fd, long nanos) throws IOException {
        try {
            return (boolean) pollSelector.invokeExact(fd, nanos);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new InternalError(t);
        }
    }

    public static void stopPoll(int fd, int event) {
        try {
            stopPoll.invokeExact(fd, event);
        } catch (Throwable t) {
            report(t);
        }
    }

    public static void pinnedPark(Thread vthread) {
        try {
            pinnedPark.invokeExact(vthread);
        } catch (Throwable t) {
            report(t);
        }
    }

    public static Future<?> schedule(Thread vthread, Runnable task, long delay, TimeUnit unit) {
        try {
            return (Future<?>) schedule.invokeExact(vthread, task, delay, unit);
        } catch (Throwable t) {
            report(t);
            return null;
        }
    }

    public static void beforeBlocking(int cause) {
        try {
            beforeBlocking.invokeExact(cause);
        } catch (Throwable t) {
            report(t);
        }
    }

    public static void beforeWait() {
        try {
            beforeWait.invokeExact();
        } catch (Throwable t) {
            report(t);
        }
    }

    public static boolean threadStart(Thread t) {
        try {
            return (boolean) threadStart.invokeExact(t);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new InternalError(e);
        }
    }

    /**
     * The coroutine standing in for app thread {@code t}, or null. While no thread was ever converted this is
     * one field load; a virtual thread never has a stand-in (only the app's platform Thread objects do).
     */
    public static Thread shadowOf(Thread t) {
        if (!anyShadow || t.isVirtual()) {
            return null;
        }
        try {
            return (Thread) shadowOf.invokeExact(t);
        } catch (Throwable e) {
            report(e);
            return null;
        }
    }

    /**
     * The prologue of every watched blocking JDK method: {@code CoioBridge.blocking(id, this or null, arg);}.
     * When detection is off this is one volatile load. When on, a thread that may block pays a thread-local
     * lookup and two reference compares (its cached answer); only a non-blocking thread goes on to the agent.
     * While the agent's code runs for this thread ({@code busy}), the watched calls it makes itself (printing,
     * class loading, locks) return at once: the report never re-enters itself.
     */
    public static void blocking(int call, Object self, long arg) {
        if (!detect) {
            return;
        }
        Object[] s = THREAD_STATE.get();
        if (s == null) {
            s = new Object[4];
            THREAD_STATE.set(s);
        }
        if (s[BUSY] != null) {
            return;
        }
        Thread t = Thread.currentThread();
        String name = t.getName();
        Object e = epoch;
        if (s[NAME] != name || s[EPOCH] != e) {
            s[VERDICT] = classify(t, s);
            s[NAME] = name;
            s[EPOCH] = e;
        }
        if (s[VERDICT] == Boolean.TRUE) {
            blockingCall(call, self, arg, s);
        }
    }

    private static Boolean classify(Thread t, Object[] s) {
        MethodHandle h = nonBlocking;
        if (h == null) {
            return Boolean.FALSE;
        }
        s[BUSY] = Boolean.TRUE;
        try {
            return (boolean) h.invokeExact(t) ? Boolean.TRUE : Boolean.FALSE;
        } catch (Throwable x) {
            report(x);
            return Boolean.FALSE;
        } finally {
            s[BUSY] = null;
        }
    }

    private static void blockingCall(int call, Object self, long arg, Object[] s) {
        MethodHandle h = blockingCall;
        if (h == null) {
            return;
        }
        s[BUSY] = Boolean.TRUE;
        try {
            h.invokeExact(call, self, arg);
        } catch (Error err) {
            throw err; // onblock=throw: the agent's BlockingCallError, thrown at the blocking call
        } catch (Throwable x) {
            report(x);
        } finally {
            s[BUSY] = null;
        }
    }

    private static void report(Throwable t) {
        System.err.println("coio: internal error in a JDK hook: " + t);
        t.printStackTrace();
    }
}
