package io.coio.agent.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's answers to "which threads are alive?" with converted app threads in them. A converted thread
 * has no OS thread of its own, so the JVM's thread list ({@code Thread.getThreads()}, native) does not hold
 * it; {@code Thread.getAllThreads()} (behind {@code ThreadGroup.activeCount/enumerate} and
 * {@code Thread.activeCount/enumerate}) and {@code Thread.getAllStackTraces()} are rewritten to call here,
 * and add each running app thread, with the stack of the coroutine that runs it.
 *
 * <p>Threads: any; reads the live set of {@link ThreadConversion}.
 */
final class ThreadListing {
    private static final MethodHandle GET_THREADS;
    private static final MethodHandle DUMP_THREADS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            GET_THREADS = l.findStatic(Thread.class, "getThreads", MethodType.methodType(Thread[].class));
            DUMP_THREADS = l.findStatic(Thread.class, "dumpThreads",
                    MethodType.methodType(StackTraceElement[][].class, Thread[].class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unsupported JDK: Thread.getThreads/dumpThreads not found", e);
        }
    }

    /**
     * JVMTI thread-status bits by {@code Thread.State}, as {@code ThreadInfo} expects them (jvmti.h):
     * ALIVE 0x1, TERMINATED 0x2, RUNNABLE 0x4, WAITING_INDEFINITELY 0x10, WAITING_WITH_TIMEOUT 0x20,
     * BLOCKED_ON_MONITOR_ENTER 0x400.
     */
    private static final int[] JVMTI_STATUS = {0, 0x5, 0x401, 0x11, 0x21, 0x2};

    private final Set<Thread> running;
    /** {@code new ThreadInfo(Thread, int, Object, Thread, long, long, long, long, StackTraceElement[])}, or null. */
    private final MethodHandle newThreadInfo;

    /** @param newThreadInfo ThreadInfo's private constructor (java.lang.management opened to coio), or null */
    ThreadListing(Set<Thread> running, MethodHandle newThreadInfo) {
        this.running = running;
        this.newThreadInfo = newThreadInfo;
    }

    /** The ThreadInfo constructor that the JVM itself uses, if java.management is present and opened to coio. */
    static MethodHandle threadInfoConstructor() {
        try {
            Class<?> info = Class.forName("java.lang.management.ThreadInfo");
            return MethodHandles.privateLookupIn(info, MethodHandles.lookup()).findConstructor(info,
                    MethodType.methodType(void.class, Thread.class, int.class, Object.class, Thread.class, long.class,
                            long.class, long.class, long.class, StackTraceElement[].class))
                    .asType(MethodType.methodType(Object.class, Thread.class, int.class, Object.class, Thread.class,
                            long.class, long.class, long.class, long.class, StackTraceElement[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // no java.management in this runtime image: nothing to answer for
        }
    }

    /** The running app threads ({@code daemonOnly}: the daemon ones), for ThreadMXBean's counts and ids. */
    Thread[] appThreads(boolean daemonOnly) {
        return running.stream().filter(t -> t.isAlive() && (!daemonOnly || t.isDaemon())).toArray(Thread[]::new);
    }

    /**
     * {@code ThreadMXBean.dumpAllThreads}: the JVM's {@code ThreadInfo}s plus one per running app thread, with
     * the app thread's name, id, state, stack and what it waits on (its coroutine's park blocker). Locked
     * monitors and synchronizers of app threads are not reported (documented).
     */
    Object[] withInfos(Object[] jvm) {
        if (newThreadInfo == null) {
            return jvm;
        }
        java.util.List<Object> all = new java.util.ArrayList<>(java.util.Arrays.asList(jvm));
        for (Thread t : running) {
            Object info = describe(t, Integer.MAX_VALUE);
            if (info != null) {
                all.add(info);
            }
        }
        return all.toArray((Object[]) java.lang.reflect.Array.newInstance(jvm.getClass().getComponentType(), 0));
    }

    /**
     * {@code ThreadMXBean.getThreadInfo(ids, ...)}: where the JVM answered null for an id, the running app thread
     * of that id if there is one (as {@link #withInfos} describes it, {@code maxDepth} frames of its stack;
     * negative or MAX_VALUE: all). Fills {@code jvm} in place (the JDK's own array) and returns it.
     */
    Object[] withInfosByIds(Object[] jvm, long[] ids, int maxDepth) {
        if (newThreadInfo == null) {
            return jvm;
        }
        Map<Long, Thread> byId = null; // made at the first null: getThreadInfo(getAllThreadIds()) asks for all
        for (int i = 0; i < ids.length && i < jvm.length; i++) {
            if (jvm[i] != null) {
                continue;
            }
            if (byId == null) {
                byId = new HashMap<>();
                for (Thread t : running) {
                    byId.put(t.threadId(), t);
                }
            }
            Thread t = byId.get(ids[i]);
            if (t != null) {
                jvm[i] = describe(t, maxDepth);
            }
        }
        return jvm;
    }

    /** A ThreadInfo for running app thread {@code t} with at most {@code maxDepth} frames, or null if not running. */
    private Object describe(Thread t, int maxDepth) {
        StackTraceElement[] stack = t.getStackTrace(); // forwarded to the coroutine
        Thread.State state = t.getState();
        if (state == Thread.State.TERMINATED || state == Thread.State.NEW) {
            return null;
        }
        if (maxDepth >= 0 && maxDepth < stack.length) {
            stack = java.util.Arrays.copyOf(stack, maxDepth);
        }
        // forwarded to the coroutine; a thread in socket I/O (RUNNABLE, in native) waits on no object
        Object blocker = state == Thread.State.RUNNABLE ? null : java.util.concurrent.locks.LockSupport.getBlocker(t);
        try {
            return (Object) newThreadInfo.invokeExact(t, JVMTI_STATUS[state.ordinal()], blocker, (Thread) null,
                    -1L, -1L, -1L, -1L, stack);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot describe " + t, e);
        }
    }

    /** {@code Thread.getAllThreads()}: the JVM's platform threads plus the running app threads. */
    Thread[] allThreads() {
        Thread[] platform = platformThreads();
        Thread[] app = running.toArray(new Thread[0]);
        Thread[] all = new Thread[platform.length + app.length];
        System.arraycopy(platform, 0, all, 0, platform.length);
        System.arraycopy(app, 0, all, platform.length, app.length);
        return all;
    }

    /** {@code Thread.getAllStackTraces()}: as the JDK computes it, plus each running app thread's stack. */
    Map<Thread, StackTraceElement[]> allStackTraces() {
        Thread[] platform = platformThreads();
        StackTraceElement[][] traces;
        try {
            traces = (StackTraceElement[][]) DUMP_THREADS.invokeExact(platform);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        Map<Thread, StackTraceElement[]> m = HashMap.newHashMap(platform.length + running.size());
        for (int i = 0; i < platform.length; i++) {
            if (traces[i] != null) {
                m.put(platform[i], traces[i]);
            }
        }
        for (Thread t : running) {
            StackTraceElement[] st = t.getStackTrace(); // forwarded to the coroutine
            if (t.isAlive()) {
                m.put(t, st);
            }
        }
        return m;
    }

    private static Thread[] platformThreads() {
        try {
            return (Thread[]) GET_THREADS.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
