package io.coio.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The JDK's one-shot delimited continuation ({@code jdk.internal.vm.Continuation}) behind explicit
 * coroutines, reached by method handles because coio compiles with {@code --release 21}. It needs
 * {@code jdk.internal.vm} exported to coio: the agent does that; without it, run with
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
 *
 * <p>A continuation is run by whichever thread calls {@link #run}; {@link #yieldNow} returns control to
 * that caller. The JDK sets a continuation's parent at each run and clears it at each yield, so a
 * suspended continuation may be continued later from another thread.
 */
final class ContinuationAccess {
    private static final MethodHandle NEW;
    private static final MethodHandle RUN;
    private static final MethodHandle YIELD;
    private static final MethodHandle IS_DONE;

    static {
        try {
            Class<?> cont = Class.forName("jdk.internal.vm.Continuation");
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            MethodHandles.Lookup l = MethodHandles.lookup();
            Object scope = l.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                    .invoke("coio-explicit");
            NEW = l.findConstructor(cont, MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .bindTo(scope).asType(MethodType.methodType(Object.class, Runnable.class));
            RUN = l.findVirtual(cont, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            YIELD = MethodHandles.insertArguments(
                    l.findStatic(cont, "yield", MethodType.methodType(boolean.class, scopeClass)), 0, scope);
            IS_DONE = l.findVirtual(cont, "isDone", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (Throwable e) {
            throw new IllegalStateException("coio's explicit coroutines cannot reach jdk.internal.vm.Continuation (" + e
                    + "). Run under the coio agent (-javaagent:coio-agent.jar), which opens it, or add"
                    + " --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED.", e);
        }
    }

    private ContinuationAccess() {
    }

    static Object create(Runnable body) {
        try {
            return (Object) NEW.invokeExact(body);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create a continuation", t);
        }
    }

    /** Runs or continues {@code cont} on the calling thread until it yields or ends. */
    static void run(Object cont) {
        try {
            RUN.invokeExact(cont);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Suspends the innermost running coio continuation; returns when it is continued.
     *
     * @throws PinnedYield if the continuation is pinned (a native frame or class initializer on its stack)
     */
    static void yieldNow() {
        boolean ok;
        try {
            ok = (boolean) YIELD.invokeExact();
        } catch (IllegalStateException e) {
            String m = e.getMessage();
            if (m != null && m.startsWith("Pinned")) {
                throw new PinnedYield(m);
            }
            throw e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (!ok) {
            throw new PinnedYield("pinned");
        }
    }

    static boolean isDone(Object cont) {
        try {
            return (boolean) IS_DONE.invokeExact(cont);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
