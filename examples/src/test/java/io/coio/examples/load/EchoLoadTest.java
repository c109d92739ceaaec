package io.coio.examples.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load tool cannot pass silently: every kind of server misbehaviour turns into errors and exit code 1. */
@Timeout(60)
class EchoLoadTest {

    @Test
    void aCorruptedByteIsReportedAsAVerificationFailure() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(300))) {
            // 10 round trips x 128 bytes: offset 300 is in every connection's third round trip.
            LoadResult result = Loads.echo(server.port(), 20, 10, Duration.ofSeconds(30));

            assertEquals(20, result.verifyErrors(), () -> "errors: " + result.firstErrors());
            assertEquals(20 * 2, result.roundTripsDone()); // two clean round trips per connection before the bad byte
            assertFalse(result.ok());
            assertTrue(result.firstErrors().get(0).contains("byte 44"), result.firstErrors().get(0)); // 300 - 2 * 128
        }
    }

    @Test
    void aServerThatNeverAnswersHitsTheDeadline() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.neverAnswers())) {
            long start = System.nanoTime();
            LoadResult result = Loads.echo(server.port(), 10, 5, Duration.ofSeconds(1));
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

            assertEquals(10, result.timeouts());
            assertEquals(0, result.roundTripsDone());
            assertFalse(result.ok());
            assertTrue(seconds < 10, "the run took " + seconds + " s despite a 1 s deadline");
        }
    }

    @Test
    void aServerThatClosesEarlyIsAnIoError() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.closesAfter(64))) {
            LoadResult result = Loads.echo(server.port(), 5, 3, Duration.ofSeconds(30));

            assertEquals(5, result.ioErrors());
            assertFalse(result.ok());
        }
    }

    @Test
    void aRefusedConnectionIsAConnectionError() throws Exception {
        int port;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = reserved.getLocalPort(); // closed again: nothing listens there now
        }
        LoadResult result = Loads.echo(port, 3, 1, Duration.ofSeconds(30));

        assertEquals(3, result.connectErrors());
        assertFalse(result.ok());
    }

    @Test
    void theCommandLineExitsNonZeroOnAVerificationFailure() throws Exception {
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(0))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = EchoLoad.run(new String[] {"--port", Integer.toString(server.port()), "-c", "4", "-r", "2", "--quiet"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

            String printed = out.toString(StandardCharsets.UTF_8);
            assertEquals(1, exit, printed);
            assertTrue(printed.contains("verification 4"), printed);
            assertTrue(printed.contains("summary: connections=4 opened=4 round_trips=0"), printed);
        }
    }

    @Test
    void badArgumentsExitWithTwo() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = EchoLoad.run(new String[] {"-c", "10"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port is required"));
    }

    @Test
    void connectOnlyReportsTheServersMemoryPerIdleConnection() throws Exception {
        // The "server" is this JVM (an in-process echo); RSS only, jcmd would make the test slow.
        try (MisbehavingServer server = new MisbehavingServer(MisbehavingServer.corruptsByteAt(Long.MAX_VALUE))) {
            LoadOptions options = new LoadOptions();
            options.port = server.port();
            options.connections = 30;
            options.connectOnly = true;
            options.useJcmd = false;
            options.serverPid = ProcessHandle.current().pid();
            LoadResult result = Loads.run(options);

            assertTrue(result.ok(), () -> "errors: " + result.firstErrors());
            assertEquals(30, result.opened());
            assertEquals(30, result.roundTripsDone()); // one verified ping per connection
            assertNotNull(result.idleAfter());
            assertTrue(result.idleBefore().rssKib() > 0 && result.idleAfter().rssKib() > 0);
            assertTrue(result.serverThreadsMax() >= 30, "one handler thread per idle connection: " + result.serverThreadsMax());
            assertTrue(result.summaryLine().contains("rss_kib_per_conn="), result.summaryLine());
        }
    }
}
