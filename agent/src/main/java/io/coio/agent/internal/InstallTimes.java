package io.coio.agent.internal;

import java.lang.System.Logger.Level;

/**
 * Where the agent's start-up time goes, for whoever tunes it: with {@code -Dcoio.debug.startup=true} the installer
 * marks the end of each phase and prints one line at the end, e.g.
 * {@code coio: install took 212.4 ms: open 3.1, runtime 80.2, bridge 6.0, ...}. Off (the default) it costs
 * one static boolean test per mark. Debug aid only: the figures in docs/benchmark.md come from the start-up
 * benchmark (examples/run-startup.sh), which measures from outside the JVM.
 *
 * <p>Compiled for Java 17 with what detect mode loads. Threads: the installing thread only.
 */
final class InstallTimes {
    static final boolean ON = Boolean.getBoolean("coio.debug.startup");

    private final long start = System.nanoTime();
    private final StringBuilder phases = new StringBuilder();
    private long last = start;

    /** Marks the end of phase {@code name} (if on). */
    void mark(String name) {
        if (!ON) {
            return;
        }
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ", ").append(name).append(' ').append(ms(now - last));
        last = now;
    }

    /** Prints the line (if on). */
    void print(String what) {
        if (ON) {
            CoioLog.line(Level.INFO, "coio: " + what + " took " + ms(System.nanoTime() - start) + " ms: " + phases);
        }
    }

    private static String ms(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }
}
