package io.coio.agent.detect;

/**
 * Thrown at a blocking call made on a thread that must not block, when coio runs in detect mode with
 * {@code onblock=throw} (fail fast). Its stack trace starts at the blocking JDK method; its message is the first
 * line of the report, e.g. {@code blocking call java.lang.Thread.sleep on thread evloop-1 (...)}.
 *
 * <p>It is an {@link Error} so that it passes through the JDK method it is thrown from and through code that
 * catches {@code Exception}; a test sees it like an assertion failure.
 */
public class BlockingCallError extends Error {
    private static final long serialVersionUID = 1L;

    public BlockingCallError(String message) {
        super(message);
    }
}
