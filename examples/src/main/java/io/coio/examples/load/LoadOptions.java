package io.coio.examples.load;

import java.time.Duration;

/**
 * The load tool's settings, with their defaults; {@link #parse} fills them from the command line.
 * A plain mutable holder: it is built once, before any client thread starts, and only read afterwards.
 */
final class LoadOptions {

    static final String USAGE = """
            usage: EchoLoad --port PORT [options]
              --host HOST              server address (default 127.0.0.1)
              --port PORT              server port (required)
              -c, --connections N      concurrent connections (default 100)
              -r, --round-trips M      round trips per connection (default 10)
              -s, --size BYTES         payload bytes per round trip (default 128)
              --threads T              client selector threads (default 2; one thread tops out near 50k round trips/s)
              --connect-concurrency K  connects in flight at once (default 256)
              --timeout-s S            deadline for the run (default 120); a warm-up has its own, at most 30 s
              --server-pid PID         sample the server's OS thread count from /proc/PID/status
              --connect-only           idle-connection memory: open N connections, one verified round
                                       trip each, report the server's RSS and heap growth per
                                       connection (needs --server-pid), then close them
              --hold-s S               keep the idle connections open S more seconds after measuring (default 0)
              --no-jcmd                connect-only: skip 'jcmd PID GC.run / GC.heap_info', report RSS only
              --warmup                 first run a short untimed load (200 connections x 250 round trips)
                                       so the server's JIT and lazy setup are not measured (always on
                                       with --connect-only)
              --processes P            split the connections over P load-tool JVMs (each with --threads T threads),
                                       started and stopped together, results merged (default 1)
              --phase-cmd CMD          run 'CMD start' just before the timed round trips and 'CMD stop' just
                                       after them (e.g. to switch a perf syscall count on and off)
              --nmt                    connect-only: also report the server's native memory growth (Native
                                       Memory Tracking; the server must run with -XX:NativeMemoryTracking=summary)
              --no-warmup              connect-only: skip that warm-up (the caller warmed the server up already)
              --quiet                  no live progress line on stderr
            Exit code 0 only if every round trip completed and every byte verified; 1 otherwise; 2 on bad usage.""";

    String host = "127.0.0.1";
    int port = -1;
    int connections = 100;
    int roundTrips = 10;
    int payloadBytes = 128;
    int clientThreads = 2;
    int connectConcurrency = 256;
    Duration timeout = Duration.ofSeconds(120);
    long serverPid = -1;
    boolean connectOnly;
    Duration hold = Duration.ZERO;
    boolean useJcmd = true;
    boolean warmup;
    boolean noWarmup;
    boolean progress = true;
    int processes = 1;
    String phaseCommand;
    boolean nativeMemory;
    boolean fleetMember; // internal: this JVM is one of a ProcessFleet's members, talking to it on stdin/stdout

    /** @throws IllegalArgumentException with a one-line reason when the arguments are wrong */
    static LoadOptions parse(String[] args) {
        LoadOptions o = new LoadOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--host" -> o.host = value(args, ++i, arg);
                case "--port" -> o.port = intValue(args, ++i, arg, 1, 65535);
                case "-c", "--connections" -> o.connections = intValue(args, ++i, arg, 1, 1_000_000);
                case "-r", "--round-trips" -> o.roundTrips = intValue(args, ++i, arg, 1, Integer.MAX_VALUE);
                case "-s", "--size" -> o.payloadBytes = intValue(args, ++i, arg, 1, 16 << 20);
                case "--threads" -> o.clientThreads = intValue(args, ++i, arg, 1, 64);
                case "--connect-concurrency" -> o.connectConcurrency = intValue(args, ++i, arg, 1, 1_000_000);
                case "--timeout-s" -> o.timeout = Duration.ofSeconds(intValue(args, ++i, arg, 1, 86_400));
                case "--server-pid" -> o.serverPid = intValue(args, ++i, arg, 1, Integer.MAX_VALUE);
                case "--connect-only" -> o.connectOnly = true;
                case "--hold-s" -> o.hold = Duration.ofSeconds(intValue(args, ++i, arg, 0, 86_400));
                case "--no-jcmd" -> o.useJcmd = false;
                case "--warmup" -> o.warmup = true;
                case "--no-warmup" -> o.noWarmup = true;
                case "--quiet" -> o.progress = false;
                case "--processes" -> o.processes = intValue(args, ++i, arg, 1, 64);
                case "--phase-cmd" -> o.phaseCommand = value(args, ++i, arg);
                case "--nmt" -> o.nativeMemory = true;
                case ProcessFleet.MEMBER_FLAG -> o.fleetMember = true;
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (o.port < 0) {
            throw new IllegalArgumentException("--port is required");
        }
        if (o.connectOnly && o.serverPid < 0) {
            throw new IllegalArgumentException("--connect-only measures the server's memory and needs --server-pid");
        }
        if (o.processes > 1 && o.connectOnly) {
            throw new IllegalArgumentException("--connect-only runs in one process; drop --processes");
        }
        if (o.nativeMemory && !o.connectOnly) {
            throw new IllegalArgumentException("--nmt measures idle connections and needs --connect-only");
        }
        return o;
    }

    /** Round trips each connection makes: a single verified "ping" in connect-only mode. */
    int roundTripsPerConnection() {
        return connectOnly ? 1 : roundTrips;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String[] args, int i, String option, int min, int max) {
        String text = value(args, i, option);
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + text);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }
}
