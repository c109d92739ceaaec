package io.coio.agent.internal;

import java.lang.System.Logger.Level;
import java.util.ServiceLoader;

/**
 * Where coio's own messages go (start-up line, installation errors, stats, blocking-call reports and summaries):
 * the app's logging backend through {@link System.Logger} {@code io.coio}, or, when the app has none, stderr
 * exactly as before (each line starting with {@code coio: }).
 *
 * <p>Decided once, at the first message, in this order:
 * <ol>
 *   <li>system property {@code coio.log=stderr} or {@code coio.log=system} — the operator's choice;
 *   <li>a {@code System.LoggerFinder} service on the class path (log4j-jpl, slf4j-jdk-platform-logging, ...) — the
 *       app's backend takes {@code System.Logger} output: coio's messages go there;
 *   <li>{@code java.util.logging.config.file} or {@code .config.class} set — the app configured JUL, the JDK's default
 *       {@code System.Logger} backend: coio's messages go there;
 *   <li>otherwise stderr. (Unconfigured JUL would print each message as two lines with a date; coio's one line stays.)
 * </ol>
 * The agent starts before the app's {@code main}, so with a backend the first message (the start-up line)
 * initialises that backend early, from its configuration files, as any {@code System.Logger} call from a library
 * would; configuration the app only applies programmatically in {@code main} comes later. Through a backend a
 * message is the stderr text without its {@code coio: } prefix (a multi-line report stays one message).
 *
 * <p>Any thread.
 */
public final class CoioLog {
    private static final String PREFIX = "coio: ";

    private CoioLog() {
    }

    /** One line (without line separator), e.g. {@code "coio: coroutine mode, 2 carriers, ..."}. */
    public static void line(Level level, String line) {
        if (Route.LOGGER != null) {
            Route.LOGGER.log(level, strip(line));
        } else {
            System.err.println(line);
        }
    }

    /** A block of lines, each ending with a line separator (a report with its stack, a summary). */
    public static void text(Level level, String text) {
        if (Route.LOGGER != null) {
            Route.LOGGER.log(level, strip(text.stripTrailing()));
        } else {
            System.err.print(text);
            System.err.flush();
        }
    }

    private static String strip(String s) {
        return s.startsWith(PREFIX) ? s.substring(PREFIX.length()) : s;
    }

    /** The decision, made when the first message is logged (lazy holder). */
    private static final class Route {
        /** The {@code io.coio} logger, or null for stderr. */
        static final System.Logger LOGGER = useSystemLogger() ? System.getLogger("io.coio") : null;

        private static boolean useSystemLogger() {
            String choice = System.getProperty("coio.log", "");
            if (choice.equals("stderr")) {
                return false;
            }
            if (choice.equals("system")) {
                return true;
            }
            if (hasLoggerFinder()) {
                return true;
            }
            return System.getProperty("java.util.logging.config.file") != null
                    || System.getProperty("java.util.logging.config.class") != null;
        }

        private static boolean hasLoggerFinder() {
            try {
                return ServiceLoader.load(System.LoggerFinder.class, ClassLoader.getSystemClassLoader()).stream()
                        .findAny().isPresent();
            } catch (RuntimeException | Error e) {
                System.err.println(PREFIX + "cannot look for a System.LoggerFinder (" + e + "); messages go to stderr");
                return false;
            }
        }
    }
}
