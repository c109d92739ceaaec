package io.coio.examples.load;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * What happens at the edges of the timed round trips, so that something outside the load tool can measure
 * exactly that window (a syscall counter) or so that several load-tool processes start and stop together
 * ({@link ProcessFleet}). Called on the load tool's main thread only.
 */
interface PhaseListener {

    PhaseListener NONE = new PhaseListener() {
    };

    /** Every connection is open (or failed); the round trips start when this returns. */
    default void beforeRoundTrips(int opened) throws InterruptedException {
    }

    /** The round trips are over (or the deadline passed); the connections stay open until this returns. */
    default void afterRoundTrips() throws InterruptedException {
    }

    /**
     * {@code --phase-cmd CMD}: runs {@code CMD start} before the round trips and {@code CMD stop} after them
     * (through {@code /bin/sh -c}, waiting at most 30 s each). {@code run-bench.sh} uses it to switch a
     * {@code perf stat} syscall count on and off around exactly the timed round trips. A command that fails is
     * reported on {@code err} and the run goes on (the script then finds no count and says so).
     */
    static PhaseListener command(String command, PrintStream err) {
        return new PhaseListener() {
            @Override
            public void beforeRoundTrips(int opened) throws InterruptedException {
                run("start");
            }

            @Override
            public void afterRoundTrips() throws InterruptedException {
                run("stop");
            }

            private void run(String phase) throws InterruptedException {
                try {
                    Process p = new ProcessBuilder("/bin/sh", "-c", command + " " + phase).inheritIO().start();
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        err.println("load: --phase-cmd '" + command + " " + phase + "' did not finish within 30 s");
                    } else if (p.exitValue() != 0) {
                        err.println("load: --phase-cmd '" + command + " " + phase + "' exited " + p.exitValue());
                    }
                } catch (IOException e) {
                    err.println("load: cannot run --phase-cmd '" + command + "': " + e.getMessage());
                }
            }
        };
    }
}
