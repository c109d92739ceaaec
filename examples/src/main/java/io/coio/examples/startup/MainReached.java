package io.coio.examples.startup;

import java.time.Instant;

/**
 * The smallest app: its {@code main} prints {@code main at <epoch microseconds> cpu <milliseconds>} and returns. The
 * start-up benchmark ({@link StartupBench}) takes the time from the JVM's launch to this line, and the CPU time the JVM
 * had used by then ({@link ProcessCpu}): what a {@code -javaagent} adds before any app code runs.
 */
public final class MainReached {
    private MainReached() {
    }

    public static void main(String[] args) {
        Instant now = Instant.now();
        double cpu = ProcessCpu.millis(ProcessHandle.current().pid());
        System.out.println("main at " + (now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000) + " cpu " + cpu);
    }
}
