package io.coio.agent.internal.bridge;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/*
 * Compiled for Java 17 (agent/pom.xml): detect mode defines it on Java 17 too.
 * WARNING: this class is copied into java.base as sun.nio.ch.CoioBridge and called from rewritten JDK
 * methods (Poller, VirtualThread, Thread, and in detect mode every method in BlockingCalls). It must use only
 * JDK types, must not reference any other coio class but CoioHooks (copied with it, as sun.nio.ch.CoioHooks), must
 * have no nested classes or lambdas (only these classes are copied), and must never throw anything the JDK method
 * it sits in could not have thrown -- except the
 * Error that detect mode's onblock=throw raises on purpose (created by agent code, not here).
 */

/**
 * The bootstrap-visible bridge between the JDK's rewritten methods and coio (BlockHound's
 * {@code BlockHoundRuntime} pattern). Each hook calls the same-named method of its group's {@link CoioHooks}
 * instance: {@link #readiness} (socket waits, timers, hand-offs), {@link #threads} (converted app threads),
 * {@link #reports} (blocking calls) and {@link #observer} (the MBean server). Each starts as the base class, whose
 * methods do what the JDK does without coio, so the JDK's code runs unchanged; the agent connects a group by
 * putting one of coio's subclasses there once coio is running. A volatile load and a virtual call: the JIT
 * inlines coio's method behind one class check. Disconnecting every group turns coio off completely.
 *
 * <p>Not API.
 */
public final class CoioBridge {
    /** The JDK's own behaviour: what every group is until connected and after it is disconnected. */
    private static final CoioHooks OFF = new CoioHooks();
    private static volatile CoioHooks readiness = OFF;
    private static volatile CoioHooks threads = OFF;
    private static volatile CoioHooks reports = OFF;
    private static volatile CoioHooks observer = OFF;
    /**
     * {@code java.lang.BaseVirtualThread}, the class of every virtual thread, or null below Java 21: the bridge is
     * compiled for Java 17 (detect mode runs there), so it cannot call {@code Thread.isVirtual()}. A static final
     * class in java.base is a JIT constant and {@code isInstance} an intrinsic.
     */
    private static final Class<?> VIRTUAL = virtualThreadClass();
    /** False until the first app thread is converted: keeps the Thread-method hooks at one field load. */
    public static volatile boolean anyShadow;

    // ---- blocking-call reports (detect mode; coroutine mode's report=all) ----
    /** False unless coio watches blocking calls: then it is all a watched JDK method reads. */
    public static volatile boolean detect;
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
     * Connects hook group {@code group} ({@code readiness}, {@code threads}, {@code reports}, {@code observer}) to
     * {@code hooks}, a {@link CoioHooks}, or back to the JDK's own behaviour if {@code hooks} is null. Called by the
     * agent's installer only.
     */
    public static void connect(String group, Object hooks) {
        CoioHooks h = hooks == null ? OFF : (CoioHooks) hooks;
        switch (group) {
            case "readiness" -> readiness = h;
            case "threads" -> threads = h;
            case "reports" -> reports = h;
            case "observer" -> observer = h;
            default -> throw new IllegalArgumentException("no hook group named " + group);
        }
    }

    /**
     * Whether this JVM writes a CDS or AOT archive as it runs ({@code -XX:AOTCacheOutput}, {@code -XX:AOTMode=record},
     * {@code -XX:ArchiveClassesAtExit}): {@code jdk.internal.misc.CDS.isDumpingArchive()}, which code inside java.base
     * may call without an export (by reflection: the bridge is compiled for Java 17 against the exported API only).
     * False where the JDK does not say. Called once, by the installer.
     */
    public static boolean archiveBeingWritten() {
        try {
            return (Boolean) Class.forName("jdk.internal.misc.CDS").getMethod("isDumpingArchive").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError notSaid) {
            return false;
        }
    }

    private static Class<?> virtualThreadClass() {
        try {
            return Class.forName("java.lang.BaseVirtualThread", false, null);
        } catch (ClassNotFoundException belowJava21) {
            return null;
        }
    }

    /** {@code t.isVirtual()} (the bridge is compiled for Java 17). */
    private static boolean virtual(Thread t) {
        return VIRTUAL != null && VIRTUAL.isInstance(t);
    }

    public static boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen) throws IOException {
        return readiness.poll(fd, event, nanos, isOpen);
    }

    public static boolean pollSelector(int fd, long nanos) throws IOException {
        return readiness.pollSelector(fd, nanos);
    }

    public static void stopPoll(int fd, int event) {
        try {
            readiness.stopPoll(fd, event);
        } catch (Throwable t) {
            report(t);
        }
    }

    public static void pinnedPark(Thread vthread) {
        try {
            readiness.pinnedPark(vthread);
        } catch (Throwable t) {
            report(t);
        }
    }

    public static Future<?> schedule(Thread vthread, Runnable task, long delay, TimeUnit unit) {
        try {
            return readiness.schedule(vthread, task, delay, unit);
        } catch (Throwable t) {
            report(t);
            return null;
        }
    }

    public static void beforeBlocking(int cause) {
        try {
            readiness.beforeBlocking(cause);
        } catch (Throwable t) {
            report(t);
        }
    }

    /** File I/O prologue ({@code FileIoSpan}): the mark to hand to {@link #afterFileIo}. */
    public static long beforeFileIo() {
        try {
            return readiness.beforeFileIo();
        } catch (Throwable t) {
            report(t);
            return 0;
        }
    }

    /** File I/O epilogue, on every exit: ends the mark {@link #beforeFileIo} made, if any. */
    public static void afterFileIo(long mark) {
        if (mark != 0) {
            try {
                readiness.afterFileIo(mark);
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    public static void beforeWait() {
        try {
            readiness.beforeWait();
        } catch (Throwable t) {
            report(t);
        }
    }

    /** {@code NioSocketImpl.tryRead/tryWrite} prologue: -1 to answer "would block" without the syscall. */
    public static int beforeSocketIo(Object jdkFd, int fd, boolean write) {
        try {
            return readiness.beforeSocketIo(jdkFd, fd, write);
        } catch (Throwable t) {
            report(t);
            return 0;
        }
    }

    /** {@link #socketIoOnHeap}: coio did not do the attempt; the JDK's own body runs. */
    public static final int NOT_DONE = Integer.MIN_VALUE;

    /**
     * {@code NioSocketImpl.tryRead/tryWrite}, after the prologue: a tracked attempt ({@code edges > 0}: a coroutine's, on
     * a non-blocking socket coio waits on) is done by coio on the app's array, and its result recorded as the epilogue
     * would; else, or if coio declines, {@link #NOT_DONE}. Throws what the JDK's attempt would (a reset connection,
     * an I/O error).
     */
    public static int socketIoOnHeap(int edges, int fd, boolean write, byte[] b, int off, int len) throws IOException {
        if (edges <= 0) {
            return NOT_DONE;
        }
        int n;
        try {
            n = readiness.heapSocketIo(fd, write, b, off, len);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            report(t); // thrown before the syscall (HeapSocketIo): the JDK's own attempt runs
            return NOT_DONE;
        }
        return n == NOT_DONE ? NOT_DONE : afterSocketIo(n, fd, write, edges, len);
    }

    /** {@code NioSocketImpl.tryRead/tryWrite} epilogue: passes {@code n} through; records it if the attempt was tracked. */
    public static int afterSocketIo(int n, int fd, boolean write, int edges, int len) {
        if (edges > 0) {
            try {
                readiness.afterSocketIo(n, fd, write, edges, len);
            } catch (Throwable t) {
                report(t);
            }
        }
        return n;
    }

    /** {@code UnixDispatcher.close} prologue. */
    public static void socketClosing(int fd) {
        try {
            readiness.socketClosing(fd);
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
            observer.mbeanServerCreated(server);
        } catch (Throwable t) {
            report(t);
        }
        return server;
    }

    /** {@code caller}: the class that called {@code Thread.start} ({@code Reflection.getCallerClass()} there). */
    public static boolean threadStart(Thread t, Class<?> caller) {
        return threads.threadStart(t, caller);
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
            return virtual(t) ? null : threads.shadowOf(t);
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
            Thread app = threads.appThreadOf(t);
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
            return threads.stateAsPlatform(s);
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
            threads.threadLocalsCreated(t, map, inheritable);
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
            return threads.interruptEndsSocketIo(t);
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
            return threads.allThreads();
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
            return threads.allStackTraces();
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
            return threads.appThreadInfos(jvm);
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
            return threads.appThreadInfoById(jvm, ids, maxDepth);
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
            Thread[] a = threads.appThreads(daemonOnly);
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
        CoioHooks h = reports;
        if (h == OFF) {
            return Boolean.FALSE;
        }
        s[BUSY] = Boolean.TRUE;
        try {
            return h.nonBlocking(t) ? Boolean.TRUE : Boolean.FALSE;
        } catch (Throwable x) {
            report(x);
            return Boolean.FALSE;
        } finally {
            s[BUSY] = null;
        }
    }

    private static void blockingCall(int call, Object self, long arg, Object[] s) {
        CoioHooks h = reports;
        if (h == OFF) {
            return;
        }
        s[BUSY] = Boolean.TRUE;
        try {
            h.blockingCall(call, self, arg);
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
