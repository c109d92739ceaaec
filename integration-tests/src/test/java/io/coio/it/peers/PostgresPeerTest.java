package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.peers.PgApp;
import example.peers.PgInterruptApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.PostgresServer;
import io.coio.it.harness.ThreadPeak;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pgjdbc, unmodified, against a real PostgreSQL that this class installs (if needed), starts on a free
 * loopback port in a temp data directory, and stops and deletes afterwards.
 */
@Timeout(170)
class PostgresPeerTest {
    static final int THREADS = 64;
    static final int QUERIES = 6;
    private static PostgresServer pg;

    @BeforeAll
    static void startPostgres() {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    private static PeerRuns.Outcome runPgApp(PeerMode mode, String kind) {
        try (AgentJvm app = mode.app(PgApp.class, kind, pg.jdbcUrl(), THREADS, QUERIES).start()) {
            ThreadPeak peak = ThreadPeak.start(app);
            Matcher r = app.awaitStdout("^RESULT queries=(\\d+) wrong=(\\d+) errors=(\\d+)$", Duration.ofSeconds(120));
            int peakThreads = peak.stop();
            int total = THREADS * QUERIES;
            assertEquals(total + " 0 0", r.group(1) + " " + r.group(2) + " " + r.group(3),
                    "queries ok / wrong / errors" + app.describeState());
            assertTrue(app.stdoutMatching("^TABLE .* right=true$").size() == 1, "table count and sum" + app.describeState());
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            return new PeerRuns.Outcome(peakThreads, total + "/" + total + " queries x 20 rows verified (MD5), "
                    + total + " inserts counted and summed; exit 0", app);
        }
    }

    @Test
    @DisplayName("pgjdbc + HikariCP (10 connections, 64 threads): every row of 384 queries right, clean exit, in"
            + " all four modes")
    void hikari() {
        PeerRuns.inEveryMode("pgjdbc-hikari", true, mode -> runPgApp(mode, "hikari"));
    }

    @Test
    @DisplayName("pgjdbc + DriverManager (one connection per thread, 64 threads): the same promises")
    void driverManager() {
        PeerRuns.inEveryMode("pgjdbc-drivermanager", true, mode -> runPgApp(mode, "drivermanager"));
    }

    @Test
    @DisplayName("pgjdbc: query threads interrupted while waiting in the socket read still get every query's"
            + " rows, as on platform threads")
    void interruptedQueries() {
        int threads = 8;
        int queries = 4;
        PeerRuns.inEveryMode("pgjdbc-interrupted", false, mode -> {
            try (AgentJvm app = mode.app(PgInterruptApp.class, pg.jdbcUrl(), threads, queries).start()) {
                ThreadPeak peak = ThreadPeak.start(app);
                Matcher r = app.awaitStdout("^RESULT queries=(\\d+) interruptedInRead=(\\d+) flagSeen=(\\d+) wrong=(\\d+)"
                        + " errors=(\\d+)$", Duration.ofSeconds(120));
                int peakThreads = peak.stop();
                int total = threads * queries;
                assertEquals(total + " 0 0", r.group(1) + " " + r.group(4) + " " + r.group(5),
                        "queries ok / wrong / errors" + app.describeState());
                int interrupted = Integer.parseInt(r.group(2));
                assertTrue(interrupted >= total * 3 / 4, "only " + interrupted + " of " + total
                        + " queries were interrupted inside the socket read: the test did not test" + app.describeState());
                assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
                return new PeerRuns.Outcome(peakThreads, total + "/" + total + " queries verified, " + interrupted
                        + " interrupted inside the socket read, flag seen after " + r.group(3) + "; exit 0", app);
            }
        });
    }
}
