package io.coio.examples.load;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load tool's small parts: payloads, histogram, /proc and jcmd parsing, options. */
class PartsTest {

    @Test
    void payloadsDifferAcrossConnectionsAndRoundTrips() {
        // A server that mixes up connections or replays an earlier round must not produce a valid echo.
        Set<String> seen = new HashSet<>();
        for (int connection = 0; connection < 100; connection++) {
            for (int round = 0; round < 20; round++) {
                byte[] payload = new byte[16];
                Payload.fill(payload, connection, round);
                assertTrue(seen.add(Arrays.toString(payload)), "duplicate payload at " + connection + "/" + round);
            }
        }
        byte[] again = new byte[16];
        Payload.fill(again, 7, 3);
        byte[] first = new byte[16];
        Payload.fill(first, 7, 3);
        assertTrue(Arrays.equals(first, again), "payloads are deterministic");
    }

    @Test
    void histogramPercentilesAreWithinOnePercent() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 100_000; micros++) {
            histogram.record(micros * 1_000);
        }
        assertEquals(100_000, histogram.count());
        assertWithin(50_000_000, histogram.percentileNanos(50));
        assertWithin(99_000_000, histogram.percentileNanos(99));
        assertWithin(99_900_000, histogram.percentileNanos(99.9));
        assertEquals(100_000_000, histogram.maxNanos());
    }

    @Test
    void histogramIndexIsMonotonicAndMidpointsFallInTheirBucket() {
        int previous = -1;
        for (long v = 0; v < 1L << 40; v = v < 1000 ? v + 1 : v + v / 97) {
            int index = LatencyHistogram.index(v);
            assertTrue(index >= previous, "index decreased at " + v);
            assertEquals(index, LatencyHistogram.index(LatencyHistogram.midpoint(index)), "midpoint of bucket of " + v);
            previous = index;
        }
        LatencyHistogram.index(Long.MAX_VALUE); // the largest value still has a bucket
    }

    @Test
    void emptyHistogramReportsZero() {
        assertEquals(0, new LatencyHistogram().percentileNanos(99));
    }

    @Test
    void heapInfoIsParsedForTheCommonCollectors() {
        String g1 = """
                12345:
                 garbage-first heap   total reserved 393216K, committed 24576K, used 5120K [0x0000000604000000, 0x0000000800000000)
                  region size 2048K, 3 young (6144K), 0 survivors (0K)
                 Metaspace       used 1000K, committed 1200K, reserved 1114112K
                """;
        String serial = """
                 def new generation   total 4928K, used 1000K [0x1, 0x2, 0x3)
                  eden space 4416K,  12% used [0x1, 0x2, 0x3)
                 tenured generation   total 10944K, used 2000K [0x1, 0x2, 0x3)
                 Metaspace       used 700K, committed 896K, reserved 1056768K
                """;
        String zgc = """
                 ZHeap           used 12M, capacity 64M, max capacity 1024M
                 Metaspace       used 700K, committed 896K, reserved 1056768K
                """;
        assertEquals(5120, ServerProbe.parseHeapUsedKib(g1));
        assertEquals(3000, ServerProbe.parseHeapUsedKib(serial));
        assertEquals(12 * 1024, ServerProbe.parseHeapUsedKib(zgc));
        assertEquals(-1, ServerProbe.parseHeapUsedKib("1234: no such command"));
    }

    @Test
    void probeReadsThreadsAndRssOfALiveProcess() {
        try (ServerProbe probe = ServerProbe.of(ProcessHandle.current().pid())) {
            assertTrue(probe.threads() > 1);
            assertTrue(probe.rssKib() > 1000);
            assertTrue(probe.maxThreads() > 1);
        }
        try (ServerProbe none = ServerProbe.of(-1)) {
            assertFalse(none.enabled());
            assertEquals(-1, none.threads());
        }
    }

    @Test
    void probeMeasuresCpuTimeSpentByTheProcess() {
        try (ServerProbe probe = ServerProbe.of(ProcessHandle.current().pid())) {
            long before = probe.cpuMicros();
            assertTrue(before > 0, "this JVM has used CPU: " + before);
            // Burn at least 300 ms of CPU on this thread (bounded in time), then the counter must have moved.
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long start = mx.getCurrentThreadCpuTime();
            long spin = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (mx.getCurrentThreadCpuTime() - start < 300_000_000L && System.nanoTime() < deadline) {
                spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
            }
            long after = probe.cpuMicros();
            assertTrue(after - before >= 200_000, "CPU counter moved by " + (after - before) + " us (spin " + spin + ")");
        }
        try (ServerProbe none = ServerProbe.of(-1)) {
            assertEquals(-1, none.cpuMicros());
        }
    }

    @Test
    void optionsAreParsedAndCheckedWithPreciseMessages() {
        LoadOptions o = LoadOptions.parse(new String[] {"--port", "7000", "-c", "10000", "-r", "5", "--threads", "1", "--quiet"});
        assertEquals(7000, o.port);
        assertEquals(10_000, o.connections);
        assertEquals(5, o.roundTrips);
        assertEquals(1, o.clientThreads);
        assertFalse(o.progress);

        assertEquals("--port is required",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[0])).getMessage());
        assertEquals("-c: not a number: many",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--port", "1", "-c", "many"})).getMessage());
        assertEquals("--connect-only measures the server's memory and needs --server-pid",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--port", "1", "--connect-only"})).getMessage());
        assertEquals("unknown option --frobnicate",
                assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--frobnicate"})).getMessage());
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 100, "expected ~" + expected + ", got " + actual);
    }
}
