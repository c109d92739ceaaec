package io.coio.agent.internal;

import io.coio.runtime.CoioRuntime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-thread state that a converted app thread and the coroutine running it must agree on.
 *
 * <p>Thread-locals: the two share their thread-local maps, so that
 * {@code ThreadLocal} and {@code InheritableThreadLocal} values live on the app's own {@code Thread}
 * object, exactly as they would on a platform thread: the JDK's {@code ThreadLocal} code (which keys on
 * the coroutine, {@code Thread.currentThread()} in JDK code) and a child thread created by the app (which
 * inherits from the app's thread, see JdkRewriter) see the same map. Costs nothing per access.
 *
 * <p>The JDK creates a thread's map when its first thread-local of the kind is used. Both threads start with the
 * app thread's maps as they are (usually none; the inheritable one if the app thread inherited values), and a map
 * the JDK creates later, always on the coroutine (JDK code's current thread), is shared with the app thread at once
 * ({@link #mapCreated}, the prologue of {@code Thread.setThreadLocals/setInheritableThreadLocals}). A converted
 * thread that uses no thread-local keeps no map: 208 bytes less per idle connection than two empty maps made at
 * start (docs/benchmark.md, "Where the memory of an idle connection goes").
 *
 * <p>Context class loader: while the coroutine runs, the app thread's get/setContextClassLoader forward to
 * it (JdkRewriter), so that JDK code on the coroutine sees what the app set; at the end the app thread
 * keeps the last one set, as a platform thread does.
 *
 * <p>Interrupt status: while the coroutine runs, the app thread's interrupt/isInterrupted forward to it
 * (JdkRewriter). An interrupt that reached the app thread before it started moves to the coroutine at its
 * start, and the coroutine's status moves back to the app thread at the end, so that a thread interrupted
 * before start sees it, and an ended thread reports what it had, as a platform thread does.
 *
 * <p>Threads: {@link #share}, {@link #mapCreated}, {@link #handBack} and {@link #handBackInterrupt} run on the
 * coroutine itself, at its start, while it runs and at its end.
 */
final class AppThreadState {
    private static final VarHandle THREAD_LOCALS;
    private static final VarHandle INHERITABLE_THREAD_LOCALS;
    private static final VarHandle CONTEXT_CLASS_LOADER;
    private static final VarHandle INTERRUPTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
            THREAD_LOCALS = l.findVarHandle(Thread.class, "threadLocals", map);
            INHERITABLE_THREAD_LOCALS = l.findVarHandle(Thread.class, "inheritableThreadLocals", map);
            CONTEXT_CLASS_LOADER = l.findVarHandle(Thread.class, "contextClassLoader", ClassLoader.class);
            INTERRUPTED = l.findVarHandle(Thread.class, "interrupted", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unsupported JDK: Thread.threadLocals / contextClassLoader / interrupted not found", e);
        }
    }

    private AppThreadState() {
    }

    /** Called on {@code coroutine} before it runs {@code app}'s code. */
    static void share(Thread app, Thread coroutine) {
        THREAD_LOCALS.setVolatile(coroutine, THREAD_LOCALS.getVolatile(app));
        INHERITABLE_THREAD_LOCALS.setVolatile(coroutine, INHERITABLE_THREAD_LOCALS.getVolatile(app));
        if ((boolean) INTERRUPTED.getAndSet(app, false)) {
            coroutine.interrupt(); // interrupted before start: the running thread sees it
        }
    }

    /**
     * Called on {@code coroutine} at the end of {@code app}'s code, before and again after the app thread
     * stops forwarding to it: an interrupt status set on the coroutine stays with the ended app thread
     * (the second call catches an interrupt that arrived in between).
     */
    static void handBackInterrupt(Thread app, Thread coroutine) {
        if (coroutine.isInterrupted()) {
            INTERRUPTED.setVolatile(app, true);
        }
    }

    /**
     * Called on {@code coroutine} when {@code app}'s code has ended: the app thread drops its thread-local
     * maps (a platform thread does at exit) and keeps the context class loader last set.
     */
    static void handBack(Thread app, Thread coroutine) {
        THREAD_LOCALS.setVolatile(app, null);
        INHERITABLE_THREAD_LOCALS.setVolatile(app, null);
        CONTEXT_CLASS_LOADER.setVolatile(app, CONTEXT_CLASS_LOADER.getVolatile(coroutine));
    }

    /**
     * The JDK has just created thread {@code t}'s thread-local map {@code map} ({@code inheritable}: the
     * {@code InheritableThreadLocal} one), on {@code t} itself: if {@code t} is the coroutine of a converted app
     * thread, the app thread gets the same map, so that a child thread the app creates inherits its values.
     */
    static void mapCreated(Thread t, Object map, boolean inheritable) {
        Thread app = CoioRuntime.appThreadOf(t);
        if (app != null) {
            (inheritable ? INHERITABLE_THREAD_LOCALS : THREAD_LOCALS).setVolatile(app, map);
        }
    }
}
