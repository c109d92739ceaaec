package io.coio.it.harness;

/**
 * Samples a process's OS thread count ({@code Threads:} of {@code /proc/<pid>/status}) every few
 * milliseconds from a daemon thread and keeps the highest value seen: the peak while a load runs.
 * A measurement, not a synchronization: the tests report it and compare runs with each other.
 *
 * <p>Thread-ownership: {@link #start} and {@link #stop} for the test thread; the sampler thread writes
 * {@code peak} (volatile).
 */
public final class ThreadPeak {
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile int peak;

    private ThreadPeak(AgentJvm app) {
        this.sampler = new Thread(() -> {
            while (running && app.isAlive()) {
                try {
                    peak = Math.max(peak, app.osThreadCount());
                    Thread.sleep(5);
                } catch (AssertionError gone) {
                    return; // the process ended
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "thread-peak-" + app.pid());
        sampler.setDaemon(true);
    }

    /** Starts sampling {@code app}'s OS thread count. */
    public static ThreadPeak start(AgentJvm app) {
        ThreadPeak p = new ThreadPeak(app);
        p.peak = app.osThreadCount();
        p.sampler.start();
        return p;
    }

    /** Stops sampling and returns the highest count seen. */
    public int stop() {
        running = false;
        try {
            sampler.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return peak;
    }
}
