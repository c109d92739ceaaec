package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.bulk.BulkHttpApp;
import example.bulk.BulkLoad;
import example.bulk.PgConnectApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import io.coio.it.harness.PostgresServer;
import io.coio.it.harness.ThreadPeak;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The workloads of the bulk benchmark ({@code integration-tests/bench-bulk.sh}), as promises rather than speeds:
 * 1 MiB request and response bodies through Apache HttpCore5's classic server and Tomcat, and a storm of pgjdbc
 * connects with SCRAM-SHA-256, under {@code carriers=2,stats=true}. Each also proves through the counters which coio
 * mechanism carried it.
 */
@Timeout(300)
class BulkAndConnectStormTest {
    private static final int MIB = 1 << 20;
    private static PostgresServer pg;

    @BeforeAll
    static void startPostgres() {
        pg = PostgresServer.start(300);
        pg.addScramUser("app", "s3cret");
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @DisplayName("HttpCore5 classic server, 1 MiB echo under carriers=2: every byte right; its socket waits were coio"
            + " readiness waits and no request made a hand-off")
    void httpCoreBulk() throws Exception {
        bulk("httpcore");
    }

    @Test
    @DisplayName("Tomcat 11, 1 MiB echo under carriers=2: every byte right; its waits parked on coio's carriers and no"
            + " request made a file, DNS or Blocker hand-off")
    void tomcatBulk() throws Exception {
        bulk("tomcat");
    }

    private static void bulk(String server) throws Exception {
        List<CarrierStatsLine> stats;
        BulkLoad.Result r;
        try (AgentJvm app = AgentJvm.builder(BulkHttpApp.class).testClasspath().agent("carriers=2,stats=true")
                .jvmArg("-Xmx512m").args(server).start()) {
            int port = Integer.parseInt(app.awaitStdout("^PORT (\\d+)$", Duration.ofSeconds(120)).group(1));
            r = BulkLoad.run(port, 4, 3, MIB, false);
            assertEquals(0, r.wrong() + r.errors(), "wrong or failed answers: " + r + app.describeState());
            assertTrue(r.ops() >= 8, "too few answers to say anything: " + r + app.describeState());
            app.terminate(Duration.ofSeconds(60));
            stats = CarrierStatsLine.of(app, 2);
        }
        String all = stats.stream().map(CarrierStatsLine::line).reduce("", (a, b) -> a + "\n" + b);
        // The server's socket reads and writes that found no data or no room parked through coio's readiness
        // path (Tomcat's workers wait on its selector thread, whose select is such a wait). Not every request
        // waits (the next body often streams in while the last is answered): measured 0.7 (HttpCore) and 0.7
        // (Tomcat) per request; with the agent's Poller hook off there are none.
        long parks = CarrierStatsLine.total(stats, CarrierStatsLine::parks);
        assertTrue(parks >= r.ops() / 10 && CarrierStatsLine.total(stats, CarrierStatsLine::wakeups) >= r.ops() / 10,
                "readiness parks/wake-ups below a tenth of the requests served (" + r.ops() + "):" + all);
        // Class loading of the first requests reads jars (file hand-offs); the requests themselves must not: a
        // hand-off per request would show as at least one per answer.
        long fileDnsBlocker = stats.stream().mapToLong(s -> count(s.line(), "fileHandOffs")
                + count(s.line(), "dnsHandOffs") + count(s.line(), "blockerHandOffs")).sum();
        assertTrue(fileDnsBlocker < r.ops() / 2, fileDnsBlocker + " file/DNS/Blocker hand-offs for " + r.ops()
                + " requests:" + all);
        System.out.println(server + ": " + r + all);
    }

    @Test
    @DisplayName("pgjdbc, 250 threads connect at once with SCRAM-SHA-256 under carriers=2: every connect and query"
            + " right, on far fewer OS threads; the JDK's /dev/urandom reads (SecureRandom nonces) cost no hand-off")
    void scramConnectStorm() {
        int threads = 250;
        try (AgentJvm app = AgentJvm.builder(PgConnectApp.class).testClasspath().agent("carriers=2,stats=true")
                .args(pg.jdbcUrlNoUser(), "app", "s3cret", threads).start()) {
            ThreadPeak peak = ThreadPeak.start(app);
            Matcher m = app.awaitStdout("^PGCONNECT ok=(\\d+) wrong=(\\d+) errors=(\\d+) .*$", Duration.ofSeconds(240));
            int peakThreads = peak.stop();
            assertEquals(threads + " 0 0", m.group(1) + " " + m.group(2) + " " + m.group(3),
                    "connects ok / wrong / failed" + app.describeState());
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            assertTrue(peakThreads < threads / 2, "peak OS threads " + peakThreads + " for " + threads
                    + " app threads: were they converted?" + app.describeState());
            List<CarrierStatsLine> stats = CarrierStatsLine.of(app, 2);
            String all = stats.stream().map(CarrierStatsLine::line).reduce("", (a, b) -> a + "\n" + b);
            assertTrue(CarrierStatsLine.total(stats, CarrierStatsLine::started) >= threads,
                    "every app thread ran as a coroutine" + all);
            // NativePRNG refills from /dev/urandom (FileInputStream.read) about every other connect: handed off
            // before each read that was 0.4-0.46 per connect; deferred, a read that does not block is not handed off
            // (a few reads preempted for over 1 ms on a loaded machine, or class-file reads, may be).
            assertTrue(stats.stream().mapToLong(s -> count(s.line(), "fileHandOffs")).sum() < threads / 10,
                    "NativePRNG's /dev/urandom reads never block: no hand-off" + all);
            System.out.println(m.group() + " peakThreads=" + peakThreads + all);
        }
    }

    private static long count(String line, String key) {
        Matcher m = java.util.regex.Pattern.compile("\\b" + key + "=(\\d+)").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
