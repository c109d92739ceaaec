package io.coio.nativeswap;

/**
 * A native function of {@code libcoio_swap} failed with an errno (native functions return
 * {@code -errno}); the message names the function and the errno, e.g.
 * {@code "co_create failed: ENOMEM (errno 12)"}.
 */
public final class NativeSwapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int errno;

    NativeSwapException(String function, int errno) {
        super(function + " failed: " + Errno.name(errno) + " (errno " + errno + ")");
        this.function = function;
        this.errno = errno;
    }

    /** The native function that failed, e.g. {@code "co_create"}. */
    public String function() {
        return function;
    }

    /** The (positive) errno value. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EINVAL"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** Throws for a negative native result; returns a non-negative one. */
    static int check(String function, int result) {
        if (result < 0) {
            throw new NativeSwapException(function, -result);
        }
        return result;
    }
}
