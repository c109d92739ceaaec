package io.coio.examples.load;

import io.coio.examples.load.LoadResult.MemorySample;
import io.coio.examples.load.RunState.ErrorKind;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The echo load generator: N concurrent connections, M verified round trips each, a hard deadline,
 * a live progress line on stderr and a summary on stdout (throughput, latency percentiles, errors,
 * the server's OS thread count). With {@code --connect-only} it measures the server's memory per
 * idle connection instead. Runs without the agent, on any JDK 21+.
 *
 * <pre>
 *   java -cp coio-examples.jar io.coio.examples.load.EchoLoad --port 7000 -c 2000 -r 20 --server-pid 1234
 * </pre>
 * Run with {@code --help} for every option. Exit code 0 only if every byte came back intact.
 */
public final class EchoLoad {

    // Workers stop themselves at the deadline; this is only how long we wait for them to notice.
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private EchoLoad() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line: parses {@code args}, runs, prints the summary; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            out.println(LoadOptions.USAGE);
            return 0;
        }
        LoadResult result;
        try {
            LoadOptions options = LoadOptions.parse(args);
            if (options.fleetMember) {
                return ProcessFleet.member(options, System.in, out, err);
            }
            result = run(options, err);
        } catch (IllegalArgumentException e) {
            err.println("load: " + e.getMessage());
            err.println(LoadOptions.USAGE);
            return 2;
        }
        result.print(out);
        return result.ok() ? 0 : 1;
    }

    /**
     * Runs one load as configured; progress and notes go to {@code err}.
     * @throws IllegalArgumentException if the host does not resolve
     */
    static LoadResult run(LoadOptions options, PrintStream err) throws InterruptedException {
        InetSocketAddress server = new InetSocketAddress(options.host, options.port);
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host " + options.host);
        }
        try (ServerProbe probe = ServerProbe.of(options.serverPid)) {
            // A fleet's members warm up themselves (and so their own JIT) before they connect.
            if (((options.warmup && options.processes == 1) || options.connectOnly) && !options.noWarmup) {
                LoadResult warmUp = warmUp(options, err);
                if (!warmUp.ok()) {
                    err.println("load: the warm-up run failed; its summary follows");
                    return warmUp;
                }
            }
            PhaseListener phases = options.phaseCommand == null ? PhaseListener.NONE
                    : PhaseListener.command(options.phaseCommand, err);
            if (options.processes > 1) {
                return ProcessFleet.run(options, probe, phases, err);
            }
            NativeMemory nmt = options.nativeMemory ? new NativeMemory(probe) : null;
            MemorySample idleBefore = options.connectOnly ? measure(probe, options, nmt) : null;
            return runPhases(options, server, probe, idleBefore, nmt, phases, err).result();
        }
    }

    /** One run's result plus its raw latencies (which a {@link ProcessFleet} member sends to its coordinator). */
    record Outcome(LoadResult result, LatencyHistogram latencies) {
    }

    static Outcome runPhases(LoadOptions options, InetSocketAddress server, ServerProbe probe,
                             MemorySample idleBefore, NativeMemory nmt, PhaseListener phases, PrintStream err)
            throws InterruptedException {
        probe.threads(); // first sample before any connection
        long startNanos = System.nanoTime();
        RunState state = new RunState(options.clientThreads, startNanos + options.timeout.toNanos());
        List<ClientWorker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < options.clientThreads; t++) {
            ClientWorker worker = new ClientWorker(options, server, state, t, options.clientThreads);
            workers.add(worker);
            threads.add(Thread.ofPlatform().name("load-client-" + t).start(worker));
        }
        long totalRoundTrips = (long) options.connections * options.roundTripsPerConnection();
        Progress progress = options.progress ? new Progress(state, probe, options.connections, totalRoundTrips, err) : null;

        long connectedNanos;
        long roundTripsStartNanos;
        long endNanos;
        int opened;
        int threadsFinal;
        long cpuBefore;
        long cpuAfter;
        long clientCpuBefore;
        long clientCpuAfter;
        MemorySample idleAfter = null;
        ServerProbe self = ServerProbe.self();
        try {
            state.await(state.connected, GRACE_NANOS);
            connectedNanos = System.nanoTime();
            opened = state.open.get();
            phases.beforeRoundTrips(opened);
            cpuBefore = probe.cpuMicros();
            clientCpuBefore = self.cpuMicros();
            roundTripsStartNanos = System.nanoTime();
            state.start.countDown();
            state.await(state.done, GRACE_NANOS);
            endNanos = System.nanoTime();
            clientCpuAfter = self.cpuMicros();
            cpuAfter = probe.cpuMicros();
            phases.afterRoundTrips();
            // Sampled while every connection is still open: the count that matters for "N connections".
            threadsFinal = probe.threads();
            if (options.connectOnly) {
                idleAfter = measure(probe, options, nmt);
                hold(options.hold, opened, err, progress);
            }
        } finally {
            state.release.countDown();
            for (Thread thread : threads) {
                thread.join(TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS));
            }
            if (progress != null) {
                progress.close();
            }
        }

        LatencyHistogram latencies = new LatencyHistogram();
        for (ClientWorker worker : workers) {
            latencies.add(worker.latencies);
        }
        return new Outcome(new LoadResult(
                options.host + ":" + options.port,
                options.connections,
                options.roundTripsPerConnection(),
                options.payloadBytes,
                options.clientThreads,
                1,
                opened,
                (connectedNanos - startNanos) / 1e9,
                state.roundTrips.sum(),
                (endNanos - roundTripsStartNanos) / 1e9,
                latencies.percentileNanos(50),
                latencies.percentileNanos(99),
                latencies.percentileNanos(99.9),
                latencies.maxNanos(),
                state.errors(ErrorKind.CONNECT),
                state.errors(ErrorKind.IO),
                state.errors(ErrorKind.VERIFY),
                state.errors(ErrorKind.TIMEOUT),
                state.firstMessages(),
                options.serverPid,
                probe.maxThreads(),
                threadsFinal,
                cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore,
                clientCpuBefore < 0 || clientCpuAfter < 0 ? -1 : clientCpuAfter - clientCpuBefore,
                idleBefore,
                idleAfter), latencies);
    }

    /**
     * A short busy run before the measured one, so that one-time costs the first connections
     * trigger in the server (class loading, JIT compilation, buffer pools, lazily started event
     * loops) are charged neither to the throughput nor to the idle connections' memory.
     */
    static LoadResult warmUp(LoadOptions options, PrintStream err) throws InterruptedException {
        LoadOptions warm = new LoadOptions();
        warm.host = options.host;
        warm.port = options.port;
        warm.connections = Math.min(200, options.connections);
        warm.roundTrips = 250; // ~50,000 round trips: enough for the server's hot path to reach C2
        warm.payloadBytes = options.payloadBytes;
        warm.clientThreads = options.clientThreads;
        warm.timeout = Duration.ofSeconds(Math.min(30, options.timeout.toSeconds()));
        warm.progress = false;
        return runPhases(warm, new InetSocketAddress(warm.host, warm.port), ServerProbe.of(-1), null, null,
                PhaseListener.NONE, err).result();
    }

    /** Memory now; with {@code nmt}, the first call takes the NMT baseline and the second the diff against it. */
    private static MemorySample measure(ServerProbe probe, LoadOptions options, NativeMemory nmt) {
        long heap = options.useJcmd ? probe.heapUsedAfterGcKib() : -1; // GC first, so RSS is read after it too
        NativeMemory.Diff nativeDiff = nmt == null ? null : nmt.sample();
        return new MemorySample(probe.rssKib(), heap, probe.threads(), nativeDiff);
    }

    private static void hold(Duration hold, int opened, PrintStream err, Progress progress) throws InterruptedException {
        if (hold.isZero()) {
            return;
        }
        if (progress == null) {
            err.println("load: holding " + opened + " idle connections for " + hold.toSeconds() + " s");
        }
        Thread.sleep(hold.toMillis());
    }
}
