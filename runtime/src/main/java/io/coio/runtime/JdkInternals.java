package io.coio.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;

/**
 * The few JDK internals coio needs, looked up once. They require {@code java.lang} to be open to coio's
 * module; the agent arranges that with {@code Instrumentation.redefineModule}, tests with
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
final class JdkInternals {
    /** {@code new ThreadBuilders.VirtualThreadBuilder(Executor)}: virtual threads on a custom scheduler. */
    private static final MethodHandle NEW_VIRTUAL_BUILDER;
    /** {@code VirtualThread.scheduler}: which carrier a coroutine belongs to. */
    private static final VarHandle SCHEDULER;
    /** {@code Thread.currentCarrierThread()}: the OS thread under the running coroutine (an intrinsic). */
    private static final MethodHandle CURRENT_CARRIER;
    private static final Class<?> VIRTUAL_THREAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            NEW_VIRTUAL_BUILDER = MethodHandles.privateLookupIn(builder, lookup)
                    .findConstructor(builder, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
            VIRTUAL_THREAD = Class.forName("java.lang.VirtualThread");
            SCHEDULER = MethodHandles.privateLookupIn(VIRTUAL_THREAD, lookup)
                    .findVarHandle(VIRTUAL_THREAD, "scheduler", Executor.class);
            CURRENT_CARRIER = MethodHandles.privateLookupIn(Thread.class, lookup)
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("coio cannot reach the JDK's virtual-thread internals (" + e
                    + "). Run under the coio agent, which opens them, or add"
                    + " --add-opens java.base/java.lang=ALL-UNNAMED.", e);
        }
    }

    private JdkInternals() {
    }

    static Thread.Builder.OfVirtual virtualThreadBuilder(Executor scheduler) {
        try {
            return (Thread.Builder.OfVirtual) NEW_VIRTUAL_BUILDER.invokeExact(scheduler);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create a virtual-thread builder", t);
        }
    }

    /** The carrier that schedules {@code t}, or null if {@code t} is not a coio coroutine. */
    static Carrier carrierOf(Thread t) {
        if (t.getClass() != VIRTUAL_THREAD) {
            return null;
        }
        Object s = SCHEDULER.get(t);
        if (s instanceof Carrier c) {
            return c;
        }
        return s instanceof AppThreadScheduler a ? a.carrier : null;
    }

    /** The scheduler of converted-thread coroutine {@code t}, or null (any other thread). */
    static AppThreadScheduler appSchedulerOf(Thread t) {
        if (t.getClass() == VIRTUAL_THREAD && SCHEDULER.get(t) instanceof AppThreadScheduler a) {
            return a;
        }
        return null;
    }

    /** The app's platform {@code Thread} that coroutine {@code t} runs, or null (not a converted thread's coroutine). */
    static Thread appThreadOf(Thread t) {
        AppThreadScheduler a = appSchedulerOf(t);
        return a == null ? null : a.appThreadOf(t);
    }

    /**
     * The virtual thread whose continuation {@code task} runs (the JDK submits {@code VirtualThread::runContinuation}
     * to the scheduler), or null. For the watchdog's reports; never on a hot path.
     */
    static Thread virtualThreadOf(Runnable task) {
        if (task == null) {
            return null;
        }
        if (task instanceof AppThreadScheduler s) {
            return s.coroutine(); // a converted thread's resumption
        }
        try {
            for (java.lang.reflect.Field f : task.getClass().getDeclaredFields()) {
                if (f.getType() == VIRTUAL_THREAD || f.getType() == Thread.class || f.getType() == Object.class) {
                    f.setAccessible(true);
                    if (f.get(task) instanceof Thread t && t.getClass() == VIRTUAL_THREAD) {
                        return t;
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a virtual thread's task, or its class is not open to coio: reported without the coroutine's name
        }
        return null;
    }

    static Thread currentCarrierThread() {
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
