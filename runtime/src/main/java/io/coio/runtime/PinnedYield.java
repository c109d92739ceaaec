package io.coio.runtime;

/**
 * An explicit coroutine tried to yield where the JVM cannot suspend it: a native frame or a class
 * initializer is on its stack ("pinned"). coio's own waits catch it and block the thread instead (a socket
 * wait, {@code Coio.poll}); {@code Coroutine.yield} and {@code CoCond.await} let it through.
 */
public final class PinnedYield extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PinnedYield(String jdkReason) {
        super("coio: the coroutine cannot yield here (" + jdkReason + "; a native frame or a class initializer is on"
                + " its stack); yield or wait on a CoCond outside of it");
    }
}
