package example.logging;

import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * A stand-in for an app's logging backend (what log4j-jpl or slf4j-jdk-platform-logging are): a
 * {@code System.LoggerFinder} whose loggers print {@code LOGGED <logger> <level> <message>} on stdout, one line per
 * line of the message, from level INFO up. Registered only where a test puts a service file on the class path.
 */
public final class StdoutLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return new System.Logger() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean isLoggable(Level level) {
                return level.getSeverity() >= Level.INFO.getSeverity(); // a backend's usual default
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                print(level, msg);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                print(level, params == null || params.length == 0 ? format
                        : java.text.MessageFormat.format(format, params));
            }

            @Override
            public void log(Level level, Supplier<String> msgSupplier) {
                print(level, msgSupplier.get());
            }

            private void print(Level level, String msg) {
                if (!isLoggable(level)) {
                    return;
                }
                synchronized (System.out) {
                    for (String line : msg.split("\\R")) {
                        System.out.println("LOGGED " + name + " " + level + " " + line);
                    }
                }
            }
        };
    }
}
