package io.coio.agent.internal;

import java.lang.System.Logger.Level;

/**
 * Where the agent's start-up time goes, for whoever tunes it: with {@code -Dcoio.debug.startup=true} the installer
 * marks the end of each phase and prints one line at the end, e.g.
 * {@code coio: install took 212.4 ms (cpu 150.3): open 3.1/2.9, runtime 80.2/60.0, ...}: per phase wall-clock and
 * CPU milliseconds of the installing thread (CPU from Linux's {@code /proc/thread-self/schedstat}; -1 elsewhere;
 * the CPU figure stays meaningful on a loaded machine, where wall-clock time is mostly waiting). Off (the default)
 * it costs one static boolean test per mark. Debug aid only: the figures in docs/benchmark.md come from the start-up
 * benchmark (examples/run-startup.sh), which measures from outside the JVM.
 *
 * <p>Compiled for Java 17 with what detect mode loads. Threads: the installing thread only.
 */
final class InstallTimes {
    static final boolean ON = Boolean.getBoolean("coio.debug.startup");

    private final long start = System.nanoTime();
    private final long startCpu = ON ? cpuNanos() : 0;
    private final StringBuilder phases = new StringBuilder();
    private long last = start;
    private long lastCpu = startCpu;

    /** Marks the end of phase {@code name} (if on). */
    void mark(String name) {
        if (!ON) {
            return;
        }
        long now = System.nanoTime();
        long cpu = cpuNanos();
        phases.append(phases.length() == 0 ? "" : ", ").append(name).append(' ').append(ms(now - last)).append('/')
                .append(ms(cpu - lastCpu));
        last = now;
        lastCpu = cpu;
    }

    /** Prints the line (if on). */
    void print(String what) {
        if (ON) {
            CoioLog.line(Level.INFO, "coio: " + what + " took " + ms(System.nanoTime() - start) + " ms (cpu "
                    + ms(cpuNanos() - startCpu) + "): " + phases);
        }
    }

    /** CPU time of the calling thread so far, from Linux's scheduler statistics; -1 where there are none. */
    private static long cpuNanos() {
        try {
            String stat = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/thread-self/schedstat")),
                    java.nio.charset.StandardCharsets.US_ASCII);
            return Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String ms(long nanos) {
        long tenths = Math.round(nanos / 1e5);
        return tenths / 10 + "." + Math.abs(tenths % 10);
    }
}
