package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.peers.Replies;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.ThreadPeak;
import io.coio.it.harness.Wrk;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One run of an example HTTP server app in one mode: start it, load {@code /hello} with wrk (200 connections,
 * 2 s, every body checked), check 300 {@code /item/N} answers from the test JVM, sample the server's OS
 * thread peak meanwhile, {@code GET /stop}, and require {@code STOPPED} and exit code 0.
 */
final class HttpServerScenario {
    static final int WRK_CONNECTIONS = 200;
    static final int WRK_SECONDS = 2;
    static final int ITEMS = 300;

    private HttpServerScenario() {}

    /**
     * @param afterStop checks on the app's output after the stop request and before its exit (may be a no-op)
     */
    static PeerRuns.Outcome run(PeerMode mode, String server, String scheme, Class<?> main,
                                Consumer<AgentJvm> afterStop, Object... args) throws Exception {
        try (AgentJvm app = mode.app(main, args).start()) {
            int port = Integer.parseInt(app.awaitStdout("^PORT (\\d+)$").group(1));
            String base = scheme + "://127.0.0.1:" + port;
            ThreadPeak peak = ThreadPeak.start(app);
            Wrk.Result wrk = Wrk.run(base + "/hello", WRK_CONNECTIONS, WRK_SECONDS, Replies.hello(server));
            int items = HttpChecks.verifyItems(base, server, ITEMS, 50);
            int peakThreads = peak.stop();
            assertTrue(wrk.clean(), "wrk saw errors or wrong bodies: " + wrk.summary() + " first wrong: ["
                    + wrk.firstWrong() + "]\n" + wrk.output() + app.describeState());
            assertEquals("200 stopping\n", HttpChecks.get(base, "/stop"), "stop request");
            afterStop.accept(app);
            app.awaitStdout("^STOPPED", Duration.ofSeconds(60));
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            return new PeerRuns.Outcome(peakThreads, "wrk " + wrk.requests() + "/" + wrk.requests()
                    + " bodies verified, 0 socket errors (" + (wrk.requests() / WRK_SECONDS) + " req/s); "
                    + items + "/" + ITEMS + " /item/N verified; exit 0", app);
        }
    }
}
