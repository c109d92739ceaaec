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
 * Compiled for Java 17 (agent/pom.xml): detect mode defines it on Java 17 too.
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
    private static final MutableCallSite THREAD_START = site(boolean.class, Thread.class, Class.class);
    private static final MutableCallSite SHADOW_OF = site(Thread.class, Thread.class);
    private static final MutableCallSite APP_THREAD_OF = site(Thread.class, Thread.class);
    private static final MutableCallSite INTERRUPT_ENDS_SOCKET_IO = site(boolean.class, Thread.class);
    private static final MutableCallSite ALL_THREADS = site(Thread[].class);
    private static final MutableCallSite ALL_STACK_TRACES = site(java.util.Map.class);
    private static final MutableCallSite APP_THREADS = site(Thread[].class, boolean.class);
    private static final MutableCallSite STATE_AS_PLATFORM = site(Thread.State.class, Thread.class);
    private static final MutableCallSite APP_THREAD_INFOS = site(Object[].class, Object[].class);
    private static final MutableCallSite APP_THREAD_INFO_BY_ID = site(Object[].class, Object[].class, long[].class, int.class);
    /**
     * {@code (Thread t) boolean}: {@code t.isVirtual()}, false below Java 21. A handle because the bridge is
     * compiled for Java 17 (detect mode runs there); a static final handle in java.base is a JIT constant.
     */
    private static final MethodHandle IS_VIRTUAL = isVirtual();
    private static final MutableCallSite BEFORE_BLOCKING = site(void.class, int.class);
    private static final MutableCallSite BEFORE_WAIT = site(void.class);
    private static final MutableCallSite BEFORE_FILE_IO = site(long.class);
    private static final MutableCallSite AFTER_FILE_IO = site(void.class, long.class);
    private static final MutableCallSite BEFORE_SOCKET_IO = site(int.class, Object.class, int.class, boolean.class);
    private static final MutableCallSite AFTER_SOCKET_IO = site(void.class, int.class, int.class, boolean.class,
            int.class, int.class);
    private static final MutableCallSite SOCKET_CLOSING = site(void.class, int.class);
    /** {@code (Object mbeanServer) void}: the platform MBean server was just created (coio's MBeans go in). */
    private static final MutableCallSite MBEAN_SERVER_CREATED = site(void.class, Object.class);
    private static final MutableCallSite THREAD_LOCALS_CREATED = site(void.class, Thread.class, Object.class, boolean.class);

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
    /** {@code (Thread t, Class caller) boolean}: true if the thread was started as a coroutine instead. */
    private static final MethodHandle threadStart = THREAD_START.dynamicInvoker();
    /** {@code (Thread t) Thread}: the coroutine running app thread {@code t}, or null. */
    private static final MethodHandle shadowOf = SHADOW_OF.dynamicInvoker();
    /** {@code (Thread coroutine) Thread}: the app thread a coroutine runs, or null. */
    private static final MethodHandle appThreadOf = APP_THREAD_OF.dynamicInvoker();
    /** {@code (Thread t) boolean}: does an interrupt end t's socket I/O (closing the socket)? */
    private static final MethodHandle interruptEndsSocketIo = INTERRUPT_ENDS_SOCKET_IO.dynamicInvoker();
    /** {@code () Thread[]}: live platform threads plus running converted app threads. */
    private static final MethodHandle allThreads = ALL_THREADS.dynamicInvoker();
    /** {@code () Map}: Thread.getAllStackTraces() with the running converted app threads. */
    private static final MethodHandle allStackTraces = ALL_STACK_TRACES.dynamicInvoker();
    /** {@code (Thread coroutine) Thread.State}: the coroutine's state as a platform thread would report it. */
    private static final MethodHandle stateAsPlatform = STATE_AS_PLATFORM.dynamicInvoker();
    /** {@code (boolean daemonOnly) Thread[]}: the running converted app threads. */
    private static final MethodHandle appThreads = APP_THREADS.dynamicInvoker();
    /** {@code (Object[] threadInfos) Object[]}: ThreadMXBean.dumpAllThreads' result plus the running app threads. */
    private static final MethodHandle appThreadInfos = APP_THREAD_INFOS.dynamicInvoker();
    /** {@code (Object[] threadInfos, long[] ids, int maxDepth) Object[]}: ThreadMXBean.getThreadInfo(ids)'s answer with the app threads among ids. */
    private static final MethodHandle appThreadInfoById = APP_THREAD_INFO_BY_ID.dynamicInvoker();
    /** {@code (int cause) void}: a JDK operation that blocks its OS thread starts (file I/O, DNS, Blocker.begin). */
    private static final MethodHandle beforeBlocking = BEFORE_BLOCKING.dynamicInvoker();
    /** {@code () void}: Object.wait starts. */
    private static final MethodHandle beforeWait = BEFORE_WAIT.dynamicInvoker();
    /** {@code () long}: a file I/O method starts; the mark for afterFileIo (0: nothing to end). */
    private static final MethodHandle beforeFileIo = BEFORE_FILE_IO.dynamicInvoker();
    /** {@code (long mark) void}: that file I/O method returns or throws. */
    private static final MethodHandle afterFileIo = AFTER_FILE_IO.dynamicInvoker();
    /** {@code (Object jdkFd, int fd, boolean write) int}: -1 skip the syscall, 0 not tracked, else an edge count. */
    private static final MethodHandle beforeSocketIo = BEFORE_SOCKET_IO.dynamicInvoker();
    /** {@code (int n, int fd, boolean write, int edges, int len) void}: what a tracked attempt learned. */
    private static final MethodHandle afterSocketIo = AFTER_SOCKET_IO.dynamicInvoker();
    /** {@code (int fd) void}: the JDK is about to close a socket or pipe fd. */
    private static final MethodHandle socketClosing = SOCKET_CLOSING.dynamicInvoker();
    private static final MethodHandle threadLocalsCreated = THREAD_LOCALS_CREATED.dynamicInvoker();
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
            case "appThreadOf" -> APP_THREAD_OF;
            case "interruptEndsSocketIo" -> INTERRUPT_ENDS_SOCKET_IO;
            case "allThreads" -> ALL_THREADS;
            case "allStackTraces" -> ALL_STACK_TRACES;
            case "appThreads" -> APP_THREADS;
            case "stateAsPlatform" -> STATE_AS_PLATFORM;
            case "appThreadInfos" -> APP_THREAD_INFOS;
            case "appThreadInfoById" -> APP_THREAD_INFO_BY_ID;
            case "beforeBlocking" -> BEFORE_BLOCKING;
            case "beforeWait" -> BEFORE_WAIT;
            case "beforeFileIo" -> BEFORE_FILE_IO;
            case "afterFileIo" -> AFTER_FILE_IO;
            case "beforeSocketIo" -> BEFORE_SOCKET_IO;
            case "afterSocketIo" -> AFTER_SOCKET_IO;
            case "socketClosing" -> SOCKET_CLOSING;
            case "mbeanServerCreated" -> MBEAN_SERVER_CREATED;
            case "threadLocalsCreated" -> THREAD_LOCALS_CREATED;
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

    private static MethodHandle isVirtual() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException belowJava21) {
            return MethodHandles.dropArguments(MethodHandles.constant(boolean.class, false), 0, Thread.class);
        }
    }

    /** {@code t.isVirtual()} through {@link #IS_VIRTUAL} (the bridge is compiled for Java 17). */
    private static boolean virtual(Thread t) {
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new InternalError(e);
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

    /** File I/O prologue ({@code FileIoSpan}): the mark to hand to {@link #afterFileIo}. */
    public static long beforeFileIo() {
        try {
            return (long) beforeFileIo.invokeExact();
        } catch (Throwable t) {
            report(t);
            return 0;
        }
    }

    /** File I/O epilogue, on every exit: ends the mark {@link #beforeFileIo} made, if any. */
    public static void afterFileIo(long mark) {
        if (mark != 0) {
            try {
                afterFileIo.invokeExact(mark);
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    public static void beforeWait() {
        try {
            beforeWait.invokeExact();
        } catch (Throwable t) {
            report(t);
        }
    }

    /** {@code NioSocketImpl.tryRead/tryWrite} prologue: -1 to answer "would block" without the syscall. */
    public static int beforeSocketIo(Object jdkFd, int fd, boolean write) {
        try {
            return (int) beforeSocketIo.invokeExact(jdkFd, fd, write);
        } catch (Throwable t) {
            report(t);
            return 0;
        }
    }

    /** {@code NioSocketImpl.tryRead/tryWrite} epilogue: passes {@code n} through; records it if the attempt was tracked. */
    public static int afterSocketIo(int n, int fd, boolean write, int edges, int len) {
        if (edges > 0) {
            try {
                afterSocketIo.invokeExact(n, fd, write, edges, len);
            } catch (Throwable t) {
                report(t);
            }
        }
        return n;
    }

    /** {@code UnixDispatcher.close} prologue. */
    public static void socketClosing(int fd) {
        try {
            socketClosing.invokeExact(fd);
        } catch (Throwable t) {
            report(t);
        }
    }

    /**
     * Filter on {@code MBeanServerFactory.createMBeanServer()}'s result inside
     * {@code ManagementFactory.getPlatformMBeanServer()}: the platform MBean server exists from now on, and coio
     * registers its MBeans in it (lazily: creating that server costs tens of milliseconds at start-up). Returns it.
     */
    public static Object mbeanServerCreated(Object server) {
        try {
            MBEAN_SERVER_CREATED.getTarget().invoke(server);
        } catch (Throwable t) {
            report(t);
        }
        return server;
    }

    /** {@code caller}: the class that called {@code Thread.start} ({@code Reflection.getCallerClass()} there). */
    public static boolean threadStart(Thread t, Class<?> caller) {
        try {
            return (boolean) threadStart.invokeExact(t, caller);
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
        if (!anyShadow) {
            return null;
        }
        try {
            if ((boolean) IS_VIRTUAL.invokeExact(t)) {
                return null;
            }
            return (Thread) shadowOf.invokeExact(t);
        } catch (Throwable e) {
            report(e);
            return null;
        }
    }

    /**
     * What {@code Thread.currentThread()} means to the app: for the coroutine that runs a converted app
     * thread, that app thread's own {@code Thread} object. App classes call this instead of
     * {@code Thread.currentThread()} (through {@code java.lang.CoioThreads}), and so do the JDK methods
     * where the current thread is handed on to the app (a new thread's parent, see JdkRewriter).
     * Until the first conversion, or on a platform thread, it is one field load and a class check.
     */
    public static Thread appCurrentThread() {
        Thread t = Thread.currentThread();
        if (!anyShadow || !virtual(t)) {
            return t;
        }
        try {
            Thread app = (Thread) appThreadOf.invokeExact(t);
            return app != null ? app : t;
        } catch (Throwable e) {
            report(e);
            return t;
        }
    }

    /**
     * The thread that really runs {@code t}'s code: the coroutine if {@code t} is a running converted app
     * thread, else {@code t}. {@code LockSupport.unpark(t)} and {@code getBlocker(t)} act on it.
     */
    public static Thread running(Thread t) {
        if (t == null || !anyShadow || virtual(t)) {
            return t;
        }
        Thread s = shadowOf(t);
        return s != null ? s : t;
    }

    /**
     * Prologue of {@code Thread.getState}: for a running converted app thread, its coroutine's state as a
     * platform thread would report it (RUNNABLE while blocked in socket I/O); null to let the JDK answer.
     */
    public static Thread.State stateOf(Thread t) {
        Thread s = shadowOf(t);
        if (s == null) {
            return null;
        }
        try {
            return (Thread.State) stateAsPlatform.invokeExact(s);
        } catch (Throwable e) {
            report(e);
            return s.getState();
        }
    }

    /**
     * Prologue of {@code Thread.setThreadLocals(map)} and {@code setInheritableThreadLocals(map)} (the JDK's
     * {@code ThreadLocal.createMap}, a thread's first thread-local of the kind): the coroutine of a converted app
     * thread shares the new map with its app thread (AppThreadState). Costs a class check on other threads.
     */
    public static void threadLocalsCreated(Thread t, Object map, boolean inheritable) {
        if (!anyShadow || !virtual(t)) {
            return;
        }
        try {
            threadLocalsCreated.invokeExact(t, map, inheritable);
        } catch (Throwable e) {
            report(e);
        }
    }

    /** Prologue of {@code Thread.setName}: a running converted app thread's coroutine takes the new name too. */
    public static void renamed(Thread t, String name) {
        Thread s = shadowOf(t);
        if (s != null && name != null) {
            s.setName(name);
        }
    }

    /** Replaces {@code t.isInterrupted()} in the JDK's socket park methods (see Hooks.interruptEndsSocketIo). */
    public static boolean interruptEndsSocketIo(Thread t) {
        if (!anyShadow) {
            return t.isInterrupted();
        }
        try {
            return (boolean) interruptEndsSocketIo.invokeExact(t);
        } catch (Throwable e) {
            report(e);
            return t.isInterrupted();
        }
    }

    /** Prologue of {@code Thread.getAllThreads()}: null to let the JDK answer (no converted thread yet). */
    public static Thread[] getAllThreads() {
        if (!anyShadow) {
            return null;
        }
        try {
            return (Thread[]) allThreads.invokeExact();
        } catch (Throwable e) {
            report(e);
            return null;
        }
    }

    /** Prologue of {@code Thread.getAllStackTraces()}: null to let the JDK answer. */
    @SuppressWarnings("unchecked")
    public static java.util.Map<Thread, StackTraceElement[]> getAllStackTraces() {
        if (!anyShadow) {
            return null;
        }
        try {
            return (java.util.Map<Thread, StackTraceElement[]>) allStackTraces.invokeExact();
        } catch (Throwable e) {
            report(e);
            return null;
        }
    }

    // ---- ThreadMXBean (sun.management.ThreadImpl): each receives what the JVM answered, adds the app threads ----

    public static int withAppThreadCount(int jvm) {
        return jvm + appThreads(false).length;
    }

    public static int withDaemonAppThreadCount(int jvm) {
        return jvm + appThreads(true).length;
    }

    public static Thread[] withAppThreads(Thread[] jvm) {
        Thread[] app = appThreads(false);
        if (app.length == 0) {
            return jvm;
        }
        Thread[] all = java.util.Arrays.copyOf(jvm, jvm.length + app.length);
        System.arraycopy(app, 0, all, jvm.length, app.length);
        return all;
    }

    public static Object[] withAppThreadInfos(Object[] jvm) {
        if (!anyShadow) {
            return jvm;
        }
        try {
            return (Object[]) appThreadInfos.invokeExact(jvm);
        } catch (Throwable e) {
            report(e);
            return jvm;
        }
    }

    /**
     * Epilogue of {@code StackTraceElement.of(StackTraceElement[])} and {@code VirtualThread.asyncGetStackTrace()}:
     * the trace of a converted app thread's coroutine ends, as a platform thread's, at the app thread's {@code run()}
     * (its frames below are coio's conversion and {@code VirtualThread.run}); every other trace is returned as is.
     * A few field and string comparisons, only on a trace whose last frame is {@code VirtualThread.run}.
     */
    public static StackTraceElement[] endAtThreadRun(StackTraceElement[] trace) {
        if (!anyShadow || trace == null) {
            return trace;
        }
        int last = trace.length - 1;
        if (last < 2 || !isFrame(trace[last], "java.lang.VirtualThread", "run")
                || !trace[last - 1].getClassName().startsWith(COIO_PACKAGE)) {
            return trace; // an app's own virtual thread, or not a coroutine at all
        }
        int i = last - 1;
        while (i > 0 && trace[i].getClassName().startsWith(COIO_PACKAGE)) {
            i--;
        }
        // the app thread's run(): Thread.run, or a subclass's
        return trace[i].getMethodName().equals("run") ? java.util.Arrays.copyOf(trace, i + 1) : trace;
    }

    /** Frames of coio's own classes (the conversion under a converted thread's {@code Thread.run}). */
    private static final String COIO_PACKAGE = "io.coio.";

    private static boolean isFrame(StackTraceElement e, String className, String method) {
        return e.getMethodName().equals(method) && e.getClassName().equals(className);
    }

    /**
     * Epilogue of {@code ThreadMXBean.getThreadInfo(ids, ...)}: the JVM answers null for the id of a converted app
     * thread (it has no OS thread); coio fills those in ({@code maxDepth} frames, -1 or MAX_VALUE: all).
     */
    public static Object[] withAppThreadInfo(Object[] jvm, long[] ids, int maxDepth) {
        if (!anyShadow) {
            return jvm;
        }
        try {
            return (Object[]) appThreadInfoById.invokeExact(jvm, ids, maxDepth);
        } catch (Throwable e) {
            report(e);
            return jvm;
        }
    }

    private static Thread[] appThreads(boolean daemonOnly) {
        if (!anyShadow) {
            return new Thread[0];
        }
        try {
            Thread[] a = (Thread[]) appThreads.invokeExact(daemonOnly);
            return a != null ? a : new Thread[0];
        } catch (Throwable e) {
            report(e);
            return new Thread[0];
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
