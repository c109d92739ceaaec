package io.coio.nativedemo;

import io.coio.nativeswap.NativeCall;
import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The libpq demo: N tasks each open a libpq connection to a PostgreSQL on loopback and run Q queries
 * {@code SELECT pg_sleep(S), <id>}, checking every answer. The tasks are coio coroutines on C carriers
 * (libpq's libc socket calls hooked, {@code PQexec} through {@link NativeCall}), JDK virtual threads on C
 * carriers (plain FFM downcalls: each pins its carrier), or platform threads. Prints one line:
 *
 * <pre>mode=coio coroutines=1000 queries=1000 errors=0 os_threads=23 connect_seconds=… seconds=… queries_per_s=… p50_ms=… p99_ms=… …</pre>
 *
 * <p>All tasks connect first and start querying together once every one is connected, so that the
 * query figures ({@code seconds}, {@code queries_per_s}, latencies of {@code PQexec}) are not mixed with
 * PostgreSQL's connection storm (a backend process forked per connection); {@code connect_seconds} is
 * that first phase.
 *
 * <p>Usage: {@code PqDemo --port P [--mode coio|virtual|platform] [--tasks N] [--queries Q] [--sleep S]
 * [--carriers C] [--timeout SECONDS] [--no-hooks]} ({@code --no-hooks}: coio mode without hooking libpq, to
 * see the carriers block). Run with {@code --enable-native-access=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
 * Exit status 0 when every query was answered correctly.
 *
 * <p>Threads: main starts the tasks and waits; each task touches only its own connection.
 */
public final class PqDemo {
    private final Options o;
    private final Libpq pq;
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final long[][] latencies;
    /** Every task counts down once connected (or failed): queries start together, after the connection storm. */
    private CountDownLatch connected;
    private volatile long queriesStart;
    private volatile long cpuAtQueriesStart;

    private PqDemo(Options o) {
        this.o = o;
        this.pq = new Libpq(o.mode.equals("coio"));
        this.latencies = new long[o.tasks][];
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.mode.equals("virtual")) {
            // The JDK's scheduler with as many carriers as coio has: set before the first virtual thread.
            System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(o.carriers));
            System.setProperty("jdk.virtualThreadScheduler.maxPoolSize", Integer.toString(o.carriers));
        }
        System.exit(new PqDemo(o).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        ThreadSampler sampler = ThreadSampler.start();
        CoioRuntime rt = null;
        List<Thread> tickers = new ArrayList<>();
        AtomicLong ticks = new AtomicLong();
        AtomicInteger done = new AtomicInteger();
        if (o.mode.equals("coio")) {
            rt = CoioRuntime.start(o.carriers);
            int hooked = o.hooks ? NativeCall.hookLibrary(Libpq.SONAME) : -1;
            if (hooked == 0) {
                throw new IllegalStateException(Libpq.SONAME + " imports none of the hooked libc functions");
            }
            // One ticker per carrier (placement: least loaded): counts its turns while queries wait in libpq.
            for (int i = 0; i < o.carriers; i++) {
                Thread t = rt.newCoroutine("ticker-" + i, () -> tick(done, ticks));
                tickers.add(t);
                t.start();
            }
        }
        CountDownLatch finished = new CountDownLatch(o.tasks);
        connected = new CountDownLatch(o.tasks);
        long start = System.nanoTime();
        for (int i = 0; i < o.tasks; i++) {
            int id = i;
            Runnable task = () -> {
                try {
                    runTask(id);
                } catch (Throwable e) {
                    error("task " + id + ": " + e);
                } finally {
                    finished.countDown();
                }
            };
            Thread t = switch (o.mode) {
                case "coio" -> rt.newCoroutine("pq-" + id, task);
                case "virtual" -> Thread.ofVirtual().name("pq-" + id).unstarted(task);
                default -> Thread.ofPlatform().name("pq-" + id).unstarted(task);
            };
            t.start();
        }
        boolean allDone = finished.await(o.timeoutSeconds, TimeUnit.SECONDS);
        long end = System.nanoTime();
        long cpuEnd = processCpuNanos();
        double seconds = (end - (queriesStart != 0 ? queriesStart : start)) / 1e9;
        double connectSeconds = ((queriesStart != 0 ? queriesStart : end) - start) / 1e9;
        done.set(1);
        for (Thread t : tickers) {
            t.join(10_000);
        }
        int osThreads = sampler.stop();
        if (!allDone) {
            error("timed out after " + o.timeoutSeconds + " s with " + finished.getCount() + " tasks unfinished");
        }
        long[] all = Arrays.stream(latencies).filter(a -> a != null).flatMapToLong(Arrays::stream).filter(v -> v > 0)
                .sorted().toArray();
        StringBuilder line = new StringBuilder();
        line.append("mode=").append(o.mode)
                .append(o.mode.equals("coio") ? " coroutines=" : " threads=").append(o.tasks)
                .append(" queries=").append(all.length)
                .append(" errors=").append(errors.get())
                .append(" os_threads=").append(osThreads)
                .append(" carriers=").append(o.mode.equals("platform") ? "-" : Integer.toString(o.carriers))
                .append(String.format(Locale.ROOT, " connect_seconds=%.2f seconds=%.2f queries_per_s=%.0f p50_ms=%.1f p99_ms=%.1f",
                        connectSeconds, seconds, all.length / seconds, percentile(all, 50), percentile(all, 99)))
                .append(String.format(Locale.ROOT, " client_cpu_us_per_query=%.0f",
                        all.length == 0 ? 0.0 : (cpuEnd - cpuAtQueriesStart) / 1e3 / all.length));
        if (rt != null) {
            long pinned = rt.stats().stream().mapToLong(CarrierStats::pinnedFallbacks).sum();
            line.append(" pinned_fallbacks=").append(pinned)
                    .append(" carrier_waits=").append(NativeCall.stats().carrierWaits())
                    .append(" blocking_waits=").append(NativeCall.stats().blockingWaits())
                    .append(" ticks_during_queries=").append(ticks.get());
        }
        if (firstError.get() != null) {
            System.err.println("first error: " + firstError.get());
        }
        System.out.println(line);
        return errors.get() == 0 && allDone && all.length == (long) o.tasks * o.queries;
    }

    private void runTask(int id) throws Throwable {
        long[] lat = new long[o.queries];
        latencies[id] = lat;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment conninfo = arena.allocateFrom("hostaddr=127.0.0.1 port=" + o.port
                    + " user=postgres dbname=postgres sslmode=disable gssencmode=disable connect_timeout=60"
                    + " application_name=coio-native-demo");
            inFlight.incrementAndGet();
            MemorySegment conn;
            try {
                conn = pq.connectdb(conninfo);
            } finally {
                inFlight.decrementAndGet();
                connected.countDown();
            }
            try {
                if (pq.status(conn) != Libpq.CONNECTION_OK) {
                    error("task " + id + ": connection failed: " + pq.errorMessage(conn));
                    return;
                }
                if (!connected.await(o.timeoutSeconds, TimeUnit.SECONDS)) {
                    error("task " + id + ": the other tasks did not connect in time");
                    return;
                }
                if (queriesStart == 0) {
                    queriesStart = System.nanoTime(); // benign race: every writer saw the latch open at about now
                    cpuAtQueriesStart = processCpuNanos();
                }
                for (int q = 0; q < o.queries; q++) {
                    long expected = (long) id * 1_000_000 + q;
                    MemorySegment sql = arena.allocateFrom("SELECT pg_sleep(" + o.sleep + "), " + expected);
                    long t0 = System.nanoTime();
                    inFlight.incrementAndGet();
                    MemorySegment res;
                    try {
                        res = pq.exec(conn, sql);
                    } finally {
                        inFlight.decrementAndGet();
                    }
                    long t1 = System.nanoTime();
                    try {
                        if (pq.resultStatus(res) != Libpq.PGRES_TUPLES_OK || pq.ntuples(res) != 1) {
                            error("task " + id + " query " + q + ": " + pq.errorMessage(conn));
                        } else if (!pq.getvalue(res, 0, 1).equals(Long.toString(expected))) {
                            error("task " + id + " query " + q + ": wrong answer " + pq.getvalue(res, 0, 1));
                        } else {
                            lat[q] = Math.max(1, t1 - t0);
                        }
                    } finally {
                        pq.clear(res);
                    }
                }
            } finally {
                pq.finish(conn);
            }
        }
    }

    /** CPU time of this JVM (all its threads). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void tick(AtomicInteger done, AtomicLong ticks) {
        while (done.get() == 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
            if (inFlight.get() > 0) {
                ticks.incrementAndGet();
            }
        }
    }

    private void error(String message) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, message);
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** The JVM's OS threads (/proc/self/status "Threads:"), sampled every 5 ms; itself included. */
    private static final class ThreadSampler implements Runnable {
        private volatile boolean stop;
        private volatile int peak;
        private Thread thread;

        static ThreadSampler start() {
            ThreadSampler s = new ThreadSampler();
            s.peak = osThreads();
            s.thread = Thread.ofPlatform().daemon().name("os-thread-sampler").start(s);
            return s;
        }

        @Override
        public void run() {
            while (!stop) {
                peak = Math.max(peak, osThreads());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int stop() throws InterruptedException {
            stop = true;
            thread.join();
            return Math.max(peak, osThreads());
        }

        static int osThreads() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (l.startsWith("Threads:")) {
                        return Integer.parseInt(l.substring(8).trim());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux: no figure
            }
            return -1;
        }
    }

    /** Command-line options. */
    private record Options(int port, String mode, int tasks, int queries, String sleep, int carriers,
                           int timeoutSeconds, boolean hooks) {
        static Options parse(String[] args) {
            int port = -1;
            String mode = "coio";
            int tasks = 1000;
            int queries = 1;
            String sleep = "0.05";
            int carriers = 2;
            int timeout = 600;
            boolean hooks = true;
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (args[i].equals("--no-hooks")) { // coio without libpq's hooks: shows what they do
                    hooks = false;
                    continue;
                }
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(need(args[i], v));
                    case "--mode" -> mode = need(args[i], v);
                    case "--tasks" -> tasks = Integer.parseInt(need(args[i], v));
                    case "--queries" -> queries = Integer.parseInt(need(args[i], v));
                    case "--sleep" -> sleep = Double.toString(Double.parseDouble(need(args[i], v)));
                    case "--carriers" -> carriers = Integer.parseInt(need(args[i], v));
                    case "--timeout" -> timeout = Integer.parseInt(need(args[i], v));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; usage: PqDemo --port P [--mode coio|virtual|platform] [--tasks N] [--queries Q]"
                            + " [--sleep S] [--carriers C] [--timeout SECONDS] [--no-hooks]");
                }
                i++;
            }
            if (port <= 0) {
                throw new IllegalArgumentException("--port is required (the PostgreSQL server's port)");
            }
            if (!List.of("coio", "virtual", "platform").contains(mode)) {
                throw new IllegalArgumentException("--mode must be coio, virtual or platform, got " + mode);
            }
            return new Options(port, mode, tasks, queries, sleep, carriers, timeout, hooks);
        }

        private static String need(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }
    }
}
