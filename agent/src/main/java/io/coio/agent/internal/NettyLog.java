package io.coio.agent.internal;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.FormattingTuple;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.MessageFormatter;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.System.Logger.Level;

/**
 * Where the agent's own (shaded) copy of Netty logs: coio's log ({@link CoioLog}: the app's {@code System.Logger}
 * backend if it has one, else stderr), info and above; debug and trace only with {@code -Dcoio.debug=true}.
 * Netty's default would be {@code java.util.logging}, whose initialisation (LogManager, its configuration, its
 * string concatenations) was a measurable part of the agent's start-up; the app's own Netty, if any, is a different
 * copy and keeps its own logging. Installed before coio first touches Netty.
 *
 * <p>Threads: any thread may log.
 */
final class NettyLog extends InternalLoggerFactory {
    private static final boolean DEBUG = Boolean.getBoolean("coio.debug");

    private NettyLog() {
    }

    /** Makes this the factory of coio's Netty (before Netty creates its first logger). */
    static void install() {
        InternalLoggerFactory.setDefaultFactory(new NettyLog());
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new Logger(name);
    }

    /** One Netty logger: formats like Netty's own loggers, writes one coio line (plus the stack of a throwable). */
    private static final class Logger extends AbstractInternalLogger {
        private static final long serialVersionUID = 1L;

        Logger(String name) {
            super(name);
        }

        private void log(Level level, FormattingTuple t) {
            log(level, t.getMessage(), t.getThrowable());
        }

        private void log(Level level, String message, Throwable thrown) {
            String line = "coio: netty " + name() + ": " + message;
            if (thrown == null) {
                CoioLog.line(level, line);
            } else {
                StringWriter stack = new StringWriter();
                thrown.printStackTrace(new PrintWriter(stack));
                CoioLog.text(level, line + System.lineSeparator() + stack);
            }
        }

        @Override public boolean isTraceEnabled() { return DEBUG; }
        @Override public void trace(String msg) { if (DEBUG) { log(Level.TRACE, msg, null); } }
        @Override public void trace(String f, Object a) { if (DEBUG) { log(Level.TRACE, MessageFormatter.format(f, a)); } }
        @Override public void trace(String f, Object a, Object b) { if (DEBUG) { log(Level.TRACE, MessageFormatter.format(f, a, b)); } }
        @Override public void trace(String f, Object... a) { if (DEBUG) { log(Level.TRACE, MessageFormatter.arrayFormat(f, a)); } }
        @Override public void trace(String msg, Throwable t) { if (DEBUG) { log(Level.TRACE, msg, t); } }

        @Override public boolean isDebugEnabled() { return DEBUG; }
        @Override public void debug(String msg) { if (DEBUG) { log(Level.DEBUG, msg, null); } }
        @Override public void debug(String f, Object a) { if (DEBUG) { log(Level.DEBUG, MessageFormatter.format(f, a)); } }
        @Override public void debug(String f, Object a, Object b) { if (DEBUG) { log(Level.DEBUG, MessageFormatter.format(f, a, b)); } }
        @Override public void debug(String f, Object... a) { if (DEBUG) { log(Level.DEBUG, MessageFormatter.arrayFormat(f, a)); } }
        @Override public void debug(String msg, Throwable t) { if (DEBUG) { log(Level.DEBUG, msg, t); } }

        @Override public boolean isInfoEnabled() { return true; }
        @Override public void info(String msg) { log(Level.INFO, msg, null); }
        @Override public void info(String f, Object a) { log(Level.INFO, MessageFormatter.format(f, a)); }
        @Override public void info(String f, Object a, Object b) { log(Level.INFO, MessageFormatter.format(f, a, b)); }
        @Override public void info(String f, Object... a) { log(Level.INFO, MessageFormatter.arrayFormat(f, a)); }
        @Override public void info(String msg, Throwable t) { log(Level.INFO, msg, t); }

        @Override public boolean isWarnEnabled() { return true; }
        @Override public void warn(String msg) { log(Level.WARNING, msg, null); }
        @Override public void warn(String f, Object a) { log(Level.WARNING, MessageFormatter.format(f, a)); }
        @Override public void warn(String f, Object a, Object b) { log(Level.WARNING, MessageFormatter.format(f, a, b)); }
        @Override public void warn(String f, Object... a) { log(Level.WARNING, MessageFormatter.arrayFormat(f, a)); }
        @Override public void warn(String msg, Throwable t) { log(Level.WARNING, msg, t); }

        @Override public boolean isErrorEnabled() { return true; }
        @Override public void error(String msg) { log(Level.ERROR, msg, null); }
        @Override public void error(String f, Object a) { log(Level.ERROR, MessageFormatter.format(f, a)); }
        @Override public void error(String f, Object a, Object b) { log(Level.ERROR, MessageFormatter.format(f, a, b)); }
        @Override public void error(String f, Object... a) { log(Level.ERROR, MessageFormatter.arrayFormat(f, a)); }
        @Override public void error(String msg, Throwable t) { log(Level.ERROR, msg, t); }
    }
}
