package io.coio.runtime;

/**
 * A readiness wait whose wake-up ends a {@link CoWait} instead of unparking a thread: one fd and direction
 * of a {@code Coio.poll}, or the socket wait of an explicit coroutine (its hooked I/O yields to its
 * resumer; the event loop continues it). The carrier arms and tears it down like any {@link Waiter}.
 */
final class PollItem extends Waiter {
    private final CoWait wait;

    PollItem(Thread thread, FdState fd, boolean write, long deadline, CoWait wait) {
        super(thread, fd, write, deadline);
        this.wait = wait;
    }

    @Override
    void wake() {
        wait.signal();
    }

    /** The explicit coroutine yields to its resumer until the event (or its loop) continues it. */
    void await() {
        wait.await(-1);
    }
}
