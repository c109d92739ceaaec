package io.coio.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * {@code co_eventloop} and fd look-up for coio's API module. <b>Not API</b>.
 */
public final class ExplicitLoop {
    /** libco's {@code co_eventloop} waits at most 1 ms in {@code epoll_wait} so that its callback runs often. */
    private static final long CALLBACK_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private ExplicitLoop() {
    }

    /**
     * Runs the calling thread's event loop until {@code callback} (called once per iteration) returns -1;
     * with a null callback, forever. On a platform thread it drives the thread's own loop; on a coio coroutine
     * (a converted thread) the carrier's loop already runs, so it only calls the callback every millisecond.
     */
    public static void run(IntSupplier callback) {
        Thread t = Thread.currentThread();
        if (Explicit.current() != null) {
            throw new IllegalStateException("coio: Coio.eventLoop() inside a coroutine; call it from the thread that resumes them");
        }
        if (!t.isVirtual()) {
            LoopEnv env = LoopEnv.ofPlatformThread(t);
            if (callback == null) {
                env.runEventLoop(() -> false, 0);
            } else {
                env.runEventLoop(() -> callback.getAsInt() == -1, CALLBACK_PERIOD_NANOS);
            }
            return;
        }
        if (JdkInternals.carrierOf(t) == null) {
            throw new IllegalStateException("coio: Coio.eventLoop() on a JDK virtual thread that is not a coio coroutine");
        }
        for (;;) {
            if (callback != null && callback.getAsInt() == -1) {
                return;
            }
            if (callback == null) {
                LockSupport.park();
            } else {
                LockSupport.parkNanos(CALLBACK_PERIOD_NANOS);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final class Fds {
        static final MethodHandle GET_FD_VAL;

        static {
            try {
                Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
                GET_FD_VAL = MethodHandles.lookup().findVirtual(selCh, "getFDVal", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("coio cannot read a channel's fd (" + e + "). Run under the coio agent,"
                        + " or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED.", e);
            }
        }
    }

    /** The OS fd of a JDK channel (SocketChannel, ServerSocketChannel, DatagramChannel, Pipe ends). */
    public static int fdOf(SelectableChannel channel) {
        try {
            return (int) Fds.GET_FD_VAL.invokeExact((Object) channel);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("not a JDK channel: " + channel.getClass().getName(), e);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
