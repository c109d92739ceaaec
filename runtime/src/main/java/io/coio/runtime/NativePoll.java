package io.coio.runtime;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@code poll(2)} on one fd through the JDK's own {@code sun.nio.ch.Net.poll}: the exact {@code revents} of
 * a {@code Coio.poll} item (timeout 0), and the blocking wait of a coroutine whose hooks are off. Needs
 * {@code sun.nio.ch} open to coio ({@code Net.poll} is package-private; the agent opens it, otherwise
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}).
 */
final class NativePoll {
    private static final MethodHandle NET_POLL;
    private static final MethodHandle NEW_FD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> net = Class.forName("sun.nio.ch.Net");
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            NET_POLL = MethodHandles.privateLookupIn(net, l).findStatic(net, "poll", MethodType.methodType(int.class, FileDescriptor.class, int.class, long.class));
            NEW_FD = l.findStatic(ioUtil, "newFD", MethodType.methodType(FileDescriptor.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("coio cannot reach sun.nio.ch.Net (" + e + "). Run under the coio agent,"
                    + " or add --add-opens java.base/sun.nio.ch=ALL-UNNAMED.", e);
        }
    }

    private NativePoll() {
    }

    /** {@code poll(2)} of one fd: the returned revents, 0 on timeout; {@code millis < 0} waits forever. */
    static int poll(int fd, int events, long millis) {
        try {
            FileDescriptor f = (FileDescriptor) NEW_FD.invokeExact(fd);
            int r = (int) NET_POLL.invokeExact(f, events, millis);
            return Math.max(r, 0);
        } catch (java.io.IOException e) {
            return ExplicitPoll.POLLNVAL;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
