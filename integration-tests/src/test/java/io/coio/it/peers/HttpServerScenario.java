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
 * One run of an example HTTP server app in one mode: start it, check 300 {@code /item/N} answers from the
 * test JVM (50 at a time; this also warms the server up), load {@code /hello} with wrk (every body checked),
 * sample the server's OS thread peak meanwhile, {@code GET /stop}, and require {@code STOPPED} and exit 0.
 */
final class HttpServerScenario {
    /** wrk load for plain HTTP: many concurrent connections, one worker thread each without the agent. */
    static final Load PLAIN = new Load(150, 2);
    /**
     * wrk load over TLS: fewer connections (each costs a handshake on a 2-core machine), a little longer. Enough
     * connections that the no-agent peak (one worker each) is clearly over twice coio's carriers, spares and the
     * spares that busy hand-offs of handshakes add on a loaded machine (50 gave 74 against 37 once).
     */
    static final Load TLS = new Load(90, 3);
    static final int ITEMS = 300;

    record Load(int connections, int seconds) {}

    private HttpServerScenario() {}

    /**
     * @param afterStop checks on the app's output after the stop request and before its exit (may be a no-op)
     */
    static PeerRuns.Outcome run(PeerMode mode, String server, String scheme, Class<?> main,
                                Consumer<AgentJvm> afterStop, Object... args) throws Exception {
        Load load = scheme.equals("https") ? TLS : PLAIN;
        try (AgentJvm app = mode.app(main, args).start()) {
            int port = Integer.parseInt(app.awaitStdout("^PORT (\\d+)$").group(1));
            String base = scheme + "://127.0.0.1:" + port;
            ThreadPeak peak = ThreadPeak.start(app);
            int items = HttpChecks.verifyItems(base, server, ITEMS, 50);
            Wrk.Result wrk = Wrk.run(base + "/hello", load.connections(), load.seconds(), Replies.hello(server));
            int peakThreads = peak.stop();
            System.out.println("[peers]   " + server + " " + mode.label + ": peak OS threads during the load "
                    + peakThreads + " (reported here too in case a later check fails)");
            assertTrue(wrk.clean(), "wrk saw errors or wrong bodies: " + wrk.summary() + " first wrong: ["
                    + wrk.firstWrong() + "]\n" + wrk.output() + app.describeState());
            assertEquals("200 stopping\n", HttpChecks.get(base, "/stop"), "stop request");
            afterStop.accept(app);
            app.awaitStdout("^STOPPED", Duration.ofSeconds(60));
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            return new PeerRuns.Outcome(peakThreads, "wrk -c" + load.connections() + " " + wrk.requests() + "/" + wrk.requests()
                    + " bodies verified, 0 socket errors (" + (wrk.requests() / load.seconds()) + " req/s); "
                    + items + "/" + ITEMS + " /item/N verified; exit 0", app);
        }
    }
}
