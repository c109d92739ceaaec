package io.coio.agent.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Tells a {@code ThreadPoolExecutor} worker of the app's pools from one of the JDK's own pools (RMI's
 * connection pool, the HTTP client's), which must stay platform threads like any thread the JDK starts. Who
 * hands the pool its tasks says nothing (a JDK server calls the app's executor); who made the pool does: a
 * pool whose thread factory is a JDK class other than {@code Executors}' default factory is the JDK's.
 *
 * <p>The pool is found through the worker: the JDK passes its {@code ThreadPoolExecutor.Worker} straight to
 * the factory, so it is the new thread's task, and the worker knows its pool. A factory that wraps the task
 * in its own {@code Runnable} is an app's (the JDK's factories do not).
 *
 * <p>Threads: any; stateless.
 */
final class PoolWorkers {
    private static final Class<?> WORKER;
    /** {@code ThreadPoolExecutor.Worker}'s reference to its pool (the inner class's outer instance). */
    private static final VarHandle POOL_OF_WORKER;
    /** By name: making one ({@code Executors.defaultThreadFactory()}) would use up a pool number ("pool-N-thread-M"). */
    private static final Class<?> DEFAULT_FACTORY;

    static {
        try {
            DEFAULT_FACTORY = Class.forName("java.util.concurrent.Executors$DefaultThreadFactory");
            WORKER = Class.forName("java.util.concurrent.ThreadPoolExecutor$Worker");
            Field outer = null;
            for (Field f : WORKER.getDeclaredFields()) {
                if (f.getType() == ThreadPoolExecutor.class) {
                    outer = f;
                }
            }
            if (outer == null) {
                throw new NoSuchFieldException("ThreadPoolExecutor.Worker has no reference to its pool");
            }
            POOL_OF_WORKER = MethodHandles.privateLookupIn(WORKER, MethodHandles.lookup()).unreflectVarHandle(outer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unsupported JDK: cannot find a ThreadPoolExecutor worker's pool", e);
        }
    }

    private PoolWorkers() {
    }

    /** Whether pool worker {@code t} (started by a {@code ThreadPoolExecutor}) belongs to one of the JDK's own pools. */
    static boolean ofJdkPool(Thread t) {
        Object task = ThreadHolder.task(t);
        if (task == null || task.getClass() != WORKER) {
            return false; // the factory wrapped the worker: an app's factory
        }
        ThreadFactory factory = ((ThreadPoolExecutor) POOL_OF_WORKER.get(task)).getThreadFactory();
        Class<?> c = factory.getClass();
        return c != DEFAULT_FACTORY && ThreadConversion.isJdk(c.getClassLoader());
    }
}
