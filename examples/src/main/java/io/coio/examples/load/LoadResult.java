package io.coio.examples.load;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one load run, printed as a human summary plus one {@code summary: key=value ...}
 * line that scripts parse. Counts of -1 mean "not measured". Public only so the tests of the
 * example servers can check results; not an API.
 */
public record LoadResult(
        String target,
        int connections,
        int roundTripsPerConnection,
        int payloadBytes,
        int clientThreads,
        int clientProcesses,       // load-tool processes that shared the connections (ProcessFleet), 1 by default
        int opened,
        double connectSeconds,
        long roundTripsDone,
        double roundTripSeconds,
        long p50Nanos,
        long p99Nanos,
        long p999Nanos,
        long maxNanos,
        long connectErrors,
        long ioErrors,
        long verifyErrors,
        long timeouts,
        List<String> firstErrors,
        long serverPid,
        int serverThreadsMax,
        int serverThreadsFinal,
        long serverCpuMicros,      // user + system CPU of the server during the round trips; -1 if unknown
        long clientCpuMicros,      // the same for the load tool's own process(es); -1 if unknown
        MemorySample idleBefore,   // connect-only mode, else null
        MemorySample idleAfter) {

    /**
     * The server's memory and threads at one moment, after a full GC when jcmd was usable; {@code nativeDiff} is
     * the Native Memory Tracking diff against the first sample ({@code --nmt}), else null.
     */
    public record MemorySample(long rssKib, long heapUsedKib, int threads, NativeMemory.Diff nativeDiff) {
    }

    public long roundTripsExpected() {
        return (long) connections * roundTripsPerConnection;
    }

    public long errors() {
        return connectErrors + ioErrors + verifyErrors + timeouts;
    }

    /** Every round trip completed and every byte matched. */
    public boolean ok() {
        return errors() == 0 && roundTripsDone == roundTripsExpected();
    }

    double roundTripsPerSecond() {
        return roundTripSeconds <= 0 ? 0 : roundTripsDone / roundTripSeconds;
    }

    /** Server CPU (user + system) per completed round trip, in microseconds; NaN when unknown. */
    double serverCpuMicrosPerRoundTrip() {
        return serverCpuMicros < 0 || roundTripsDone == 0 ? Double.NaN : (double) serverCpuMicros / roundTripsDone;
    }

    /** The load tool's own CPU per completed round trip, in microseconds (all its processes); NaN when unknown. */
    double clientCpuMicrosPerRoundTrip() {
        return clientCpuMicros < 0 || roundTripsDone == 0 ? Double.NaN : (double) clientCpuMicros / roundTripsDone;
    }

    /** Growth of a memory figure per idle connection, in KiB; NaN when either side is unknown. */
    double perConnectionKib(long before, long after) {
        if (before < 0 || after < 0 || opened == 0) {
            return Double.NaN;
        }
        return (double) (after - before) / opened;
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "load: %d connections x %d round trips x %d bytes to %s (%d client thread%s%s)%n",
                connections, roundTripsPerConnection, payloadBytes, target, clientThreads, clientThreads == 1 ? "" : "s",
                clientProcesses > 1 ? " in each of " + clientProcesses + " processes" : "");
        out.printf(Locale.ROOT, "  connections     %d of %d opened in %.2f s%n", opened, connections, connectSeconds);
        out.printf(Locale.ROOT, "  round trips     %d of %d in %.2f s = %.0f round trips/s%n",
                roundTripsDone, roundTripsExpected(), roundTripSeconds, roundTripsPerSecond());
        out.printf(Locale.ROOT, "  latency         p50 %.3f ms | p99 %.3f ms | p99.9 %.3f ms | max %.3f ms%n",
                ms(p50Nanos), ms(p99Nanos), ms(p999Nanos), ms(maxNanos));
        out.printf(Locale.ROOT, "  errors          %d (verification %d, connection %d, i/o %d, timed out %d)%n",
                errors(), verifyErrors, connectErrors, ioErrors, timeouts);
        for (String message : firstErrors) {
            out.println("    " + message);
        }
        if (serverPid > 0) {
            out.printf(Locale.ROOT, "  server threads  max %d, at end of the round trips %d (OS threads of pid %d)%n",
                    serverThreadsMax, serverThreadsFinal, serverPid);
            out.printf(Locale.ROOT, "  server CPU      %.1f us per round trip (user + system, during the round trips)%n",
                    serverCpuMicrosPerRoundTrip());
        }
        out.printf(Locale.ROOT, "  client CPU      %.1f us per round trip (the load tool's own process%s, during the round trips)%n",
                clientCpuMicrosPerRoundTrip(), clientProcesses > 1 ? "es" : "");
        if (idleAfter != null) {
            out.printf(Locale.ROOT, "  idle memory     %d connections: server RSS %s -> %s (%s per connection), heap used after GC %s -> %s (%s per connection)%n",
                    opened, mib(idleBefore.rssKib()), mib(idleAfter.rssKib()),
                    kib(perConnectionKib(idleBefore.rssKib(), idleAfter.rssKib())),
                    mib(idleBefore.heapUsedKib()), mib(idleAfter.heapUsedKib()),
                    kib(perConnectionKib(idleBefore.heapUsedKib(), idleAfter.heapUsedKib())));
            if (idleAfter.nativeDiff() != null) {
                NativeMemory.Diff d = idleAfter.nativeDiff();
                out.printf(Locale.ROOT, "  native memory   NMT committed outside the Java heap %+d KiB (%s per connection); largest: %s%n",
                        d.nativeKib(), kib(opened == 0 ? Double.NaN : (double) d.nativeKib() / opened), d.largest(4));
            }
        }
        out.println(summaryLine());
        out.println(ok() ? "  result          OK: every byte verified" : "  result          FAILED");
        out.flush();
    }

    /** One line of {@code key=value} pairs for scripts. */
    String summaryLine() {
        StringBuilder line = new StringBuilder("summary:");
        line.append(" connections=").append(connections)
                .append(" opened=").append(opened)
                .append(" round_trips=").append(roundTripsDone)
                .append(String.format(Locale.ROOT, " rt_per_s=%.0f", roundTripsPerSecond()))
                .append(String.format(Locale.ROOT, " p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f",
                        ms(p50Nanos), ms(p99Nanos), ms(p999Nanos), ms(maxNanos)))
                .append(" errors=").append(errors())
                .append(" server_threads_max=").append(serverThreadsMax)
                .append(" server_threads_final=").append(serverThreadsFinal)
                .append(String.format(Locale.ROOT, " server_cpu_us_per_rt=%.1f", serverCpuMicrosPerRoundTrip()))
                .append(String.format(Locale.ROOT, " client_cpu_us_per_rt=%.1f", clientCpuMicrosPerRoundTrip()));
        if (idleAfter != null) {
            line.append(" rss_kib_before=").append(idleBefore.rssKib())
                    .append(" rss_kib_after=").append(idleAfter.rssKib())
                    .append(String.format(Locale.ROOT, " rss_kib_per_conn=%.2f", perConnectionKib(idleBefore.rssKib(), idleAfter.rssKib())))
                    .append(" heap_kib_before=").append(idleBefore.heapUsedKib())
                    .append(" heap_kib_after=").append(idleAfter.heapUsedKib())
                    .append(String.format(Locale.ROOT, " heap_kib_per_conn=%.2f", perConnectionKib(idleBefore.heapUsedKib(), idleAfter.heapUsedKib())));
            if (idleAfter.nativeDiff() != null && opened > 0) {
                line.append(String.format(Locale.ROOT, " native_kib_per_conn=%.2f", (double) idleAfter.nativeDiff().nativeKib() / opened));
            }
        }
        line.append(" client_processes=").append(clientProcesses);
        return line.toString();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String mib(long kib) {
        return kib < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    private static String kib(double kib) {
        return Double.isNaN(kib) ? "n/a" : String.format(Locale.ROOT, "%.2f KiB", kib);
    }
}
