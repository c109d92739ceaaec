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

    private final Set<Thread> running;

    ThreadListing(Set<Thread> running) {
        this.running = running;
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
