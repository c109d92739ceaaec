package io.coio.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * One JDK thread container ({@code jdk.internal.vm.SharedThreadContainer}) per carrier, named like the carrier's
 * thread ({@code coio-carrier-N}), in which coio starts that carrier's coroutines: {@code jcmd <pid>
 * Thread.dump_to_file -format=json} then lists coroutines grouped by carrier (one {@code threadContainers} entry
 * each, child of {@code <root>}), as it lists an executor's threads.
 *
 * <p>Needs {@code jdk.internal.vm} exported to coio, which the agent does with {@code Instrumentation.redefineModule}.
 * Without it (the runtime embedded directly, without {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED})
 * coroutines start in the JDK's root container, as any virtual thread: {@link #AVAILABLE} says which.
 *
 * <p>Immutable; any thread.
 */
final class CarrierThreadContainer {
    /** {@code SharedThreadContainer.create(String)} and {@code SharedThreadContainer.start(Thread)}, or null. */
    private static final MethodHandle CREATE;
    private static final MethodHandle START;
    static final boolean AVAILABLE;

    static {
        MethodHandle create = null;
        MethodHandle start = null;
        try {
            Class<?> c = Class.forName("jdk.internal.vm.SharedThreadContainer");
            MethodHandles.Lookup l = MethodHandles.lookup();
            create = l.findStatic(c, "create", MethodType.methodType(c, String.class))
                    .asType(MethodType.methodType(Object.class, String.class));
            start = l.findVirtual(c, "start", MethodType.methodType(void.class, Thread.class))
                    .asType(MethodType.methodType(void.class, Object.class, Thread.class));
        } catch (ReflectiveOperationException | RuntimeException notExportedToCoio) {
            create = null;
            start = null;
        }
        CREATE = create;
        START = start;
        AVAILABLE = create != null;
    }

    private final Object container;

    CarrierThreadContainer(String name) {
        Object c = null;
        if (AVAILABLE) {
            try {
                c = (Object) CREATE.invokeExact(name);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot create the JDK thread container " + name, t);
            }
        }
        container = c;
    }

    /** Starts {@code coroutine} (unstarted) in this container, or as a plain {@code start()} without containers. */
    void start(Thread coroutine) {
        if (container == null) {
            coroutine.start();
            return;
        }
        try {
            START.invokeExact(container, coroutine);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
