package io.coio.nativeswap;

/**
 * How a native coroutine gave control back to the Java code that resumed it: see
 * {@link NativeCoroutine#resume(long)}.
 */
public sealed interface Suspension {

    /** The coroutine yielded {@code value} ({@code coio_yield(value)}; 0 for {@code co_yield_ct()}). */
    record Yielded(long value) implements Suspension {}

    /**
     * The coroutine waits until {@code fd} is ready for {@code events} (poll(2) bits) and asks its
     * resumer to wait for it ({@code coio_wait_fd}). Resume it when that is so, passing the
     * poll revents (or a negative errno), which {@code coio_wait_fd} returns on the native side.
     */
    record WaitingFd(int fd, int events) implements Suspension {
        /** poll(2) POLLIN: readable. */
        public static final int POLLIN = 0x001;
        /** poll(2) POLLOUT: writable. */
        public static final int POLLOUT = 0x004;

        /** True if it waits to read. */
        public boolean readable() {
            return (events & POLLIN) != 0;
        }

        /** True if it waits to write. */
        public boolean writable() {
            return (events & POLLOUT) != 0;
        }
    }

    /**
     * The coroutine waits until one of {@code fds[i]} is ready for {@code events[i]} (poll(2)
     * bits), or {@code timeoutNanos} passed (-1: no timeout; no fds: just the timeout) — native
     * {@code coio_poll}, which coio's hooked libc calls use. Resume it with 0 once something may be
     * ready or the time passed (it polls again itself and suspends again if nothing is; waking it
     * early is safe), with {@link #BLOCK} to have it wait by itself with poll(2), or with a
     * negative errno to fail the wait.
     */
    record WaitingPoll(int[] fds, int[] events, long timeoutNanos) implements Suspension {
        /** Resume value: "wait by yourself", blocking the thread in poll(2) for the remaining time. */
        public static final long BLOCK = 1;
    }

    /** The coroutine's routine returned {@code result} (its {@code void*}, as a long). */
    record Finished(long result) implements Suspension {}
}
