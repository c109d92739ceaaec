package io.coio.examples.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's measuring tools: the multi-process client ({@code --processes}), the hooks around the timed
 * round trips ({@code --phase-cmd}), the NMT parser, the histogram's wire form and the start-up timer.
 */
@Timeout(120)
class BenchToolsTest {

    private static LoadOptions options(int port, int connections, int roundTrips) {
        LoadOptions o = new LoadOptions();
        o.port = port;
        o.connections = connections;
        o.roundTrips = roundTrips;
        o.timeout = Duration.ofSeconds(60);
        return o;
    }

    @Test
    void twoLoadProcessesShareTheConnectionsAndTheirResultsAreMerged() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(Long.MAX_VALUE))) {
            LoadOptions o = options(server.port(), 41, 7);
            o.processes = 2;
            o.clientThreads = 1;
            LoadResult result = Loads.run(o);

            assertTrue(result.ok(), () -> "errors: " + result.firstErrors());
            assertEquals(41 * 7, result.roundTripsDone()); // 21 + 20 connections, every round trip counted once
            assertEquals(41, result.opened());
            assertEquals(2, result.clientProcesses());
            assertTrue(result.p99Nanos() > 0 && result.p99Nanos() <= result.maxNanos(), "merged latencies: p99 "
                    + result.p99Nanos() + " max " + result.maxNanos());
        }
    }

    @Test
    void aMemberProcessesVerificationErrorsReachTheCoordinator() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(300))) {
            LoadOptions o = options(server.port(), 20, 10);
            o.processes = 2;
            o.clientThreads = 1;
            LoadResult result = Loads.run(o);

            // as in one process (EchoLoadTest): every connection fails in its third round trip
            assertEquals(20, result.verifyErrors(), () -> "errors: " + result.firstErrors());
            assertEquals(20 * 2, result.roundTripsDone());
            assertFalse(result.ok());
            assertTrue(result.firstErrors().get(0).contains("byte 44"), result.firstErrors().get(0));
        }
    }

    @Test
    void thePhaseCommandRunsRightBeforeAndAfterTheRoundTrips(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("phases.log");
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(Long.MAX_VALUE))) {
            LoadOptions o = options(server.port(), 10, 5);
            o.phaseCommand = "echo >>" + log + " ";
            LoadResult result = Loads.run(o);
            assertTrue(result.ok(), () -> "errors: " + result.firstErrors());
        }
        assertEquals(List.of("start", "stop"), Files.readAllLines(log).stream().map(String::strip).toList());
    }

    @Test
    void thePhasesBracketExactlyTheRoundTrips() throws Exception {
        java.util.concurrent.atomic.AtomicLong echoed = new java.util.concurrent.atomic.AtomicLong();
        MisbehavingServer.Behavior countingEcho = (in, out) -> {
            byte[] buffer = new byte[4096];
            for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                // counted before the echo leaves: the client may see the bytes and call afterRoundTrips
                // before this thread runs again
                echoed.addAndGet(n);
                out.write(buffer, 0, n);
            }
        };
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (MisbehavingServer server = new MisbehavingServer(countingEcho)) {
            LoadOptions o = options(server.port(), 10, 5);
            PhaseListener phases = new PhaseListener() {
                @Override
                public void beforeRoundTrips(int opened) {
                    calls.add("before: " + opened + " open, " + echoed.get() + " bytes echoed");
                }

                @Override
                public void afterRoundTrips() {
                    calls.add("after: " + echoed.get() + " bytes echoed");
                }
            };
            LoadResult result = EchoLoad.runPhases(o, new java.net.InetSocketAddress("127.0.0.1", o.port), ServerProbe.of(-1),
                    null, null, phases, System.err).result();
            assertTrue(result.ok(), () -> "errors: " + result.firstErrors());
        }
        // once each: every connection open and nothing echoed before; every byte echoed after
        assertEquals(List.of("before: 10 open, 0 bytes echoed", "after: " + 10 * 5 * 128 + " bytes echoed"), calls);
    }

    @Test
    void withProcessesThePhaseCommandAlsoBracketsTheRoundTrips(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("phases.log");
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(Long.MAX_VALUE))) {
            LoadOptions o = options(server.port(), 10, 5);
            o.processes = 2;
            o.clientThreads = 1;
            o.phaseCommand = "echo >>" + log + " ";
            assertTrue(Loads.run(o).ok());
        }
        assertEquals(List.of("start", "stop"), Files.readAllLines(log).stream().map(String::strip).toList());
    }

    @Test
    void histogramsSurviveTheirTextForm() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v : new long[] {5, 300, 70_000, 70_001, 12_345_678_901L}) {
            h.record(v);
        }
        LatencyHistogram back = LatencyHistogram.decode(h.encode());
        assertEquals(h.count(), back.count());
        assertEquals(h.maxNanos(), back.maxNanos());
        assertEquals(h.meanNanos(), back.meanNanos());
        for (double p : new double[] {1, 50, 70, 99, 100}) {
            assertEquals(h.percentileNanos(p), back.percentileNanos(p), "percentile " + p);
        }
        assertEquals(0, LatencyHistogram.decode(new LatencyHistogram().encode()).count());
        assertThrows(IllegalArgumentException.class, () -> LatencyHistogram.decode("1 2"));
    }

    @Test
    void nativeMemoryIsTheCommittedGrowthOutsideTheJavaHeap() throws IOException {
        String diff = """
                12345:

                Native Memory Tracking:

                Total: reserved=7735194KB +5120KB, committed=477114KB +4096KB

                malloc=11302KB +1KB #47157 +19

                -                 Java Heap (reserved=6172672KB, committed=393216KB +3072KB)
                                            (mmap: reserved=6172672KB, committed=393216KB +3072KB)

                -                     Class (reserved=1048771KB, committed=1411KB)
                                            (classes #2820)

                -                    Thread (reserved=19518KB +1030KB, committed=970KB +800KB)
                                            (threads #22 +1)

                -                     Other (reserved=300KB +224KB, committed=300KB +224KB)
                """;
        NativeMemory.Diff d = NativeMemory.parse(diff);
        assertEquals(4096, d.totalKib());
        assertEquals(3072, d.heapKib());
        assertEquals(1024, d.nativeKib());
        assertEquals("Thread +800 KiB, Other +224 KiB", d.largest(2));
        assertThrows(IOException.class, () -> NativeMemory.parse("12345:\nNative memory tracking is not enabled\n"));
    }

    @Test
    void startUpTimeIsMeasuredToTheFirstEcho() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StartupTime.class.getName(),
                "--repeats", "2", "--", java, "-cp", System.getProperty("java.class.path"), "io.coio.examples.EchoServer", "0")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("run 2: listening after"), out);
        String summary = out.lines().filter(l -> l.startsWith("startup: ")).findFirst().orElseThrow(() -> new AssertionError(out));
        long listening = Long.parseLong(summary.replaceAll(".*listening_ms=(\\d+).*", "$1"));
        long first = Long.parseLong(summary.replaceAll(".*first_response_ms=(\\d+).*", "$1"));
        assertTrue(listening > 0 && first >= listening, summary);
    }

    @Test
    void startUpTimeFailsWhenTheServerNeverListens() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StartupTime.class.getName(),
                "--repeats", "1", "--", "/bin/sh", "-c", "echo not a server; exit 0")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("no 'listening on <port>' line"), out);
    }

    @Test
    void optionsRejectCombinationsThatCannotBeMeasured() {
        assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse(new String[] {"--port", "1", "--connect-only", "--server-pid", "1", "--processes", "2"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--port", "1", "--nmt"}));
        LoadOptions o = LoadOptions.parse(new String[] {"--port", "1", "--processes", "3", "--phase-cmd", "x y"});
        assertEquals(3, o.processes);
        assertEquals("x y", o.phaseCommand);
    }
}
