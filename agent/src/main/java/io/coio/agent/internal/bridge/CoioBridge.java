package io.coio.agent.internal.bridge;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/*
 * WARNING: this class is copied into java.base as sun.nio.ch.CoioBridge and called from rewritten JDK
 * methods (Poller, VirtualThread, Thread). It must use only JDK types, must not reference any other coio
 * class, and must never throw anything the JDK method it sits in could not have thrown.
 */

/**
 * The bootstrap-visible bridge between the JDK's rewritten methods and coio (BlockHound's
 * {@code BlockHoundRuntime} pattern). Each hook is a {@link MethodHandle} set by the agent once coio is
 * running; while a handle is null the hook does nothing and the JDK's code runs unchanged, so clearing
 * them turns coio off completely.
 *
 * <p>Not API.
 */
public final class CoioBridge {
    /** {@code (int fd, int event, long nanos, BooleanSupplier isOpen) boolean}: true if coio did the wait. */
    public static volatile MethodHandle poll;
    /** {@code (int fd, long nanos) boolean}. */
    public static volatile MethodHandle pollSelector;
    /** {@code (int fd, int event) void}. */
    public static volatile MethodHandle stopPoll;
    /** {@code (Thread vthread) void}. */
    public static volatile MethodHandle pinnedPark;
    /** {@code (Thread vthread, Runnable task, long delay, TimeUnit unit) Future}: null to use the JDK's timer. */
    public static volatile MethodHandle schedule;
    /** {@code (Thread t) boolean}: true if the thread was started as a coroutine instead. */
    public static volatile MethodHandle threadStart;
    /** {@code (Thread t) Thread}: the coroutine running app thread {@code t}, or null. */
    public static volatile MethodHandle shadowOf;
    /** False until the first app thread is converted: keeps the Thread-method hooks at one field load. */
    public static volatile boolean anyShadow;

    private CoioBridge() {
    }

    public static boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen) throws IOException {
        MethodHandle h = poll;
        if (h == null) {
            return false;
        }
        try {
            return (boolean) h.invokeExact(fd, event, nanos, isOpen);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new InternalError(t);
        }
    }

    public static boolean pollSelector(int fd, long nanos) throws IOException {
        MethodHandle h = pollSelector;
        if (h == null) {
            return false;
        }
        try {
            return (boolean) h.invokeExact(fd, nanos);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new InternalError(t);
        }
    }

    public static void stopPoll(int fd, int event) {
        MethodHandle h = stopPoll;
        if (h != null) {
            try {
                h.invokeExact(fd, event);
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    public static void pinnedPark(Thread vthread) {
        MethodHandle h = pinnedPark;
        if (h != null) {
            try {
                h.invokeExact(vthread);
            } catch (Throwable t) {
                report(t);
            }
        }
    }

    public static Future<?> schedule(Thread vthread, Runnable task, long delay, TimeUnit unit) {
        MethodHandle h = schedule;
        if (h == null) {
            return null;
        }
        try {
            return (Future<?>) h.invokeExact(vthread, task, delay, unit);
        } catch (Throwable t) {
            report(t);
            return null;
        }
    }

    public static boolean threadStart(Thread t) {
        MethodHandle h = threadStart;
        if (h == null) {
            return false;
        }
        try {
            return (boolean) h.invokeExact(t);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new InternalError(e);
        }
    }

    /** The coroutine standing in for app thread {@code t}, or null (the common case: one field load). */
    public static Thread shadowOf(Thread t) {
        if (!anyShadow) {
            return null;
        }
        MethodHandle h = shadowOf;
        if (h == null) {
            return null;
        }
        try {
            return (Thread) h.invokeExact(t);
        } catch (Throwable e) {
            report(e);
            return null;
        }
    }

    private static void report(Throwable t) {
        System.err.println("coio: internal error in a JDK hook: " + t);
        t.printStackTrace();
    }
}
