package io.coio.api;

import io.coio.runtime.Explicit;
import io.coio.runtime.ExplicitLoop;
import io.coio.runtime.ExplicitPoll;

import java.util.function.IntSupplier;

/**
 * libco's waiting and event-loop functions: {@link #poll} ({@code co_poll}), {@link #sleep} (libco's
 * hooked {@code poll(NULL, 0, ms)}), {@link #eventLoop} ({@code co_eventloop}).
 */
public final class Coio {
    public static final int POLLIN = ExplicitPoll.POLLIN;
    public static final int POLLPRI = ExplicitPoll.POLLPRI;
    public static final int POLLOUT = ExplicitPoll.POLLOUT;
    public static final int POLLERR = ExplicitPoll.POLLERR;
    public static final int POLLHUP = ExplicitPoll.POLLHUP;
    public static final int POLLNVAL = ExplicitPoll.POLLNVAL;

    private Coio() {
    }

    /**
     * {@code co_poll}: waits until at least one of {@code fds} is ready for the events it asks for, or
     * {@code timeoutMillis} passed ({@code -1}: no timeout; 0: just look). Fills every entry's
     * {@link PollFd#revents()} with what the kernel reports ({@code poll(2)} values; POLLERR and POLLHUP are
     * always reported, POLLNVAL for a bad fd): as libco's {@code co_poll}, the events of the epoll reports that
     * ended the wait (an entry that became ready without one reads 0 and is reported by the next call); without
     * any (timeout 0, a timeout, a wake-up with no event), a zero-timeout {@code poll(2)} of every entry.
     *
     * <p>In a coroutine it yields to the resumer and the event loop continues it; in a thread that coio
     * converted it parks the thread (the carrier runs others); on a platform thread it blocks that thread,
     * driving the thread's own loop (so its coroutines that become ready run meanwhile).
     *
     * @return the number of entries with non-zero revents; 0 on timeout
     */
    public static int poll(PollFd[] fds, int timeoutMillis) {
        RuntimeCheck.require();
        int n = fds.length;
        int[] fd = new int[n];
        int[] ev = new int[n];
        int[] rev = new int[n];
        for (int i = 0; i < n; i++) {
            fd[i] = fds[i].fd();
            ev[i] = fds[i].events();
        }
        int count = ExplicitPoll.poll(fd, ev, rev, n, timeoutMillis);
        for (int i = 0; i < n; i++) {
            fds[i].revents(rev[i]);
        }
        return count;
    }

    /** {@link #poll(PollFd[], int)} of one entry. */
    public static int poll(PollFd fd, int timeoutMillis) {
        return poll(new PollFd[] {fd}, timeoutMillis);
    }

    /** Waits {@code millis} like libco's hooked {@code poll(NULL, 0, millis)}: a coroutine yields meanwhile. */
    public static void sleep(long millis) {
        RuntimeCheck.require();
        ExplicitPoll.poll(new int[0], new int[0], new int[0], 0, Math.max(0, millis));
    }

    /**
     * {@code co_eventloop}: runs the calling thread's event loop — it continues the coroutines whose waits
     * ended, and runs timers — calling {@code callback} once per iteration (at least every millisecond) until
     * it returns -1. With a null callback the loop runs forever. On a platform thread this makes the thread
     * a carrier with its own epoll; on a thread coio converted, the carrier's loop already runs and this
     * only calls the callback.
     *
     * @throws IllegalStateException inside a coroutine
     */
    public static void eventLoop(IntSupplier callback) {
        RuntimeCheck.require();
        ExplicitLoop.run(callback);
    }

    /** Blocking socket waits made by coroutines with hooks off (each blocked its carrier). */
    public static long hooksOffBlockingWaits() {
        RuntimeCheck.require();
        return Explicit.hooksOffBlockingWaits();
    }
}
