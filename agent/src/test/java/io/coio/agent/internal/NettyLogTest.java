package io.coio.agent.internal;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a message of coio's Netty becomes once {@link NettyLog} is its logger factory: a coio line for info and above
 * (formatted as Netty formats it, with the stack of a throwable), nothing for debug and trace (no -Dcoio.debug here).
 * No System.Logger backend in this JVM: the lines go to stderr.
 */
class NettyLogTest {
    @Test
    void infoAndAboveBecomeCoioLinesDebugIsOff() {
        InternalLoggerFactory before = InternalLoggerFactory.getDefaultFactory();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            NettyLog.install();
            InternalLogger log = InternalLoggerFactory.getInstance("io.netty.test.Probe");
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            log.debug("not shown {}", 1);
            log.trace("not shown");
            log.warn("leak of {} in {}", "buffer", 7);
            log.error("failed", new IllegalStateException("boom"));
            assertFalse(log.isDebugEnabled());
            assertTrue(log.isWarnEnabled());
        } finally {
            System.setErr(err);
            InternalLoggerFactory.setDefaultFactory(before);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals("coio: netty io.netty.test.Probe: leak of buffer in 7", lines[0]);
        assertEquals("coio: netty io.netty.test.Probe: failed", lines[1]);
        assertEquals("java.lang.IllegalStateException: boom", lines[2]);
        assertTrue(lines[3].trim().startsWith("at "), lines[3]);
    }
}
