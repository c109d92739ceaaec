package io.coio.runtime;

import java.util.Arrays;

/**
 * {@code co_poll}: waits until one of several fds is ready or a timeout passes. <b>Not API</b>: public for
 * coio's API module ({@code io.coio.api.Coio.poll} documents it).
 *
 * <p>Each fd and direction becomes a {@link PollItem} armed on the fd's home carrier epoll (re-armed with one
 * {@code epoll_ctl(MOD)}, like coio's untracked socket waits); the first event, or the timeout, ends the
 * {@link CoWait}. The {@code revents} are those of the epoll events that ended the items' waits — what libco's
 * {@code co_poll} reports too — and, when no event ended any (a timeout, a spurious wake-up), the kernel's answer
 * to a zero-timeout {@code poll(2)}. An explicit coroutine yields to its resumer meanwhile; a converted thread parks;
 * a platform thread drives its own loop (its epoll) until the wait ends.
 */
public final class ExplicitPoll {
    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;

    private ExplicitPoll() {
    }

    /**
     * @param n             number of entries of {@code fds}/{@code events}/{@code revents} to use
     * @param timeoutMillis {@code < 0}: no timeout; 0: report without waiting
     * @return how many fds have non-zero {@code revents}; 0 if the timeout passed first
     */
    public static int poll(int[] fds, int[] events, int[] revents, int n, long timeoutMillis) {
        Arrays.fill(revents, 0, n, 0);
        long deadline = timeoutMillis >= 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        if (timeoutMillis == 0) {
            return readyNow(fds, events, revents, n);
        }
        for (;;) {
            long left = timeoutMillis < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
            CoWait w = CoWait.prepare();
            if (n == 0) {
                try {
                    w.await(left);
                } catch (PinnedYield pinned) {
                    if (left < 0) {
                        throw pinned;
                    }
                    // Pinned: a park would fail the same way; sleep the OS thread in poll(2) on no fd.
                    NativePoll.poll(-1, 0, Math.max(1, (left + 999_999L) / 1_000_000L)); // round up: never early
                }
                return 0;
            }
            Carrier c = w.carrier();
            Thread t = Thread.currentThread();
            PollItem[] items = new PollItem[2 * n];
            int[] itemFd = new int[2 * n]; // which entry of fds each item waits for
            int k = 0;
            for (int i = 0; i < n; i++) {
                int ev = events[i];
                FdState fd = c.fds.stateFor(fds[i]);
                if (fd == null) { // a number beyond coio's fd table: wait on the OS thread, like a pinned poll
                    return pollPinned(fds, events, revents, n, timeoutMillis < 0 ? Long.MAX_VALUE : deadline);
                }
                if ((ev & POLLOUT) != 0) {
                    itemFd[k] = i;
                    items[k++] = new PollItem(t, fd, true, 0, w);
                }
                if ((ev & POLLOUT) == 0 || (ev & (POLLIN | POLLPRI)) != 0) {
                    itemFd[k] = i;
                    items[k++] = new PollItem(t, fd, false, 0, w);
                }
            }
            for (int i = 0; i < k; i++) {
                c.waits.arm(items[i]);
            }
            boolean signalled;
            try {
                signalled = w.await(left);
            } catch (PinnedYield pinned) {
                for (int i = 0; i < k; i++) {
                    c.waits.disarm(items[i]);
                }
                return pollPinned(fds, events, revents, n, timeoutMillis < 0 ? Long.MAX_VALUE : deadline);
            }
            for (int i = 0; i < k; i++) {
                c.waits.disarm(items[i]);
            }
            int count = fromEvents(items, itemFd, k, events, revents);
            if (count == 0) {
                count = readyNow(fds, events, revents, n);
            }
            if (count > 0 || !signalled || (timeoutMillis >= 0 && deadline - System.nanoTime() <= 0)) {
                return count;
            }
            // Woken, but nothing is ready any more (another waiter on the fd consumed it): wait again.
        }
    }

    /**
     * A coroutine that cannot yield (a class initializer or native frame on its stack) polls by blocking its
     * OS thread: it waits up to a millisecond in {@code poll(2)} on the first fd, then looks at all of them
     * (a park would fail like the yield did).
     */
    private static int pollPinned(int[] fds, int[] events, int[] revents, int n, long deadline) {
        for (;;) {
            int count = readyNow(fds, events, revents, n);
            if (count > 0 || deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
                return count;
            }
            NativePoll.poll(fds[0], events[0], 1);
        }
    }

    /** The revents of the epoll events that ended items' waits (epoll's and poll's bits are the same on Linux). */
    private static int fromEvents(PollItem[] items, int[] itemFd, int k, int[] events, int[] revents) {
        int count = 0;
        for (int j = 0; j < k; j++) {
            int ops = items[j].state() == Waiter.READY ? items[j].readyOps : 0;
            int i = itemFd[j];
            int r = ops & (events[i] | POLLERR | POLLHUP);
            if (r != 0) {
                if (revents[i] == 0) {
                    count++;
                }
                revents[i] |= r;
            }
        }
        return count;
    }

    private static int readyNow(int[] fds, int[] events, int[] revents, int n) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            revents[i] = NativePoll.poll(fds[i], events[i] | POLLERR | POLLHUP, 0) & (events[i] | POLLERR | POLLHUP | POLLNVAL);
            if (revents[i] != 0) {
                count++;
            }
        }
        return count;
    }
}
