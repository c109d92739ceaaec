package io.coio.examples.load;

import java.io.PrintStream;

/**
 * The live status line on stderr, rewritten in place with {@code \r} once a second:
 * connections open, round trips done, the last second's rate, errors, server OS threads.
 */
final class Progress implements AutoCloseable {

    private final RunState state;
    private final ServerProbe probe;
    private final long totalConnections;
    private final long totalRoundTrips;
    private final PrintStream err;
    private final Thread thread;
    private int lastLength;

    Progress(RunState state, ServerProbe probe, long totalConnections, long totalRoundTrips, PrintStream err) {
        this.state = state;
        this.probe = probe;
        this.totalConnections = totalConnections;
        this.totalRoundTrips = totalRoundTrips;
        this.err = err;
        this.thread = Thread.ofPlatform().daemon().name("load-progress").start(this::loop);
    }

    private void loop() {
        long lastDone = 0;
        long lastNanos = System.nanoTime();
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long done = state.roundTrips.sum();
            long rate = Math.round((done - lastDone) * 1e9 / Math.max(1, now - lastNanos));
            lastDone = done;
            lastNanos = now;
            String line = String.format("load: open %d/%d | round trips %d/%d | %d rt/s | errors %d%s",
                    state.open.get(), totalConnections, done, totalRoundTrips, rate, state.totalErrors(),
                    probe.enabled() ? " | server threads " + probe.threads() : "");
            synchronized (this) {
                // Pad with spaces so a shorter line fully overwrites a longer previous one.
                err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
                err.flush();
                lastLength = line.length();
            }
        }
    }

    /** Stops the line and moves stderr to a fresh line if anything was printed. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the caller's interrupt; the line just stays unfinished
        }
        synchronized (this) {
            if (lastLength > 0) {
                err.println();
                err.flush();
            }
        }
    }
}
