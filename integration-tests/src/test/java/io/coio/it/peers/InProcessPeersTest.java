package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.peers.GrpcApp;
import example.peers.H2TcpApp;
import example.peers.MockWebServerApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import io.coio.it.harness.ThreadPeak;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real server and client libraries together in one unmodified app (server threads and client threads both the
 * app's), each run in the four {@link PeerMode}s: the app prints the same text as without the agent (every line:
 * per-thread results, totals, error codes, deadlines), exits 0, and its OS threads drop under half. In the
 * converting modes the agent also prints its stats ({@code stats=true} added): the app's threads ran as coroutines
 * ({@code started}), their socket waits were coio's ({@code parks}; not for gRPC, whose I/O is its event loops'), no {@code Object.wait} handed a carrier off
 * (these libraries wait in {@code Object.wait}; every wait did before the pinned test was fixed:
 * {@code MonitorWaitTest}), and coio printed nothing but its start-up and stats lines (MockWebServer's 40 threads
 * look up "localhost" at once: 40 DNS hand-offs, more than the idle spares, printed a "no spare loop thread" line
 * until that line became {@code report=all}'s).
 */
@Timeout(400)
class InProcessPeersTest {
    static final Duration RUN = Duration.ofSeconds(120);

    @Test
    @DisplayName("H2 TCP server + 45 JDBC client threads (inserts, selects, row-locked transfers, rollback, duplicate key, server-side sleep): same output in all four modes")
    void h2TcpServerAndClients() {
        // 45, not more: all clients connect at once, and H2's listen backlog is 50. Beyond it Linux drops SYNs and
        // H2's 2 s connect timeout can expire on a loaded machine (agent README: an acceptor waits its turn).
        inEveryMode("h2-tcp", H2TcpApp.class, 45, true);
    }

    @Test
    @DisplayName("gRPC (grpc-netty-shaded) server on an app pool + 50 blocking-stub threads (unary, server streaming, error status, deadline, bidi): same output in all four modes")
    void grpcBlockingStubs() {
        // no socket waits of the app's threads: gRPC's I/O runs on its Netty event loops (platform threads)
        inEveryMode("grpc-netty-shaded", GrpcApp.class, 50, false);
    }

    @Test
    @DisplayName("OkHttp MockWebServer + 40 OkHttp client threads (GET, POST bodies, 503, async enqueue): same output in all four modes")
    void mockWebServerAndOkHttp() {
        inEveryMode("okhttp-mockwebserver", MockWebServerApp.class, 40, true);
    }

    private static void inEveryMode(String name, Class<?> app, int threads, boolean socketWaits) {
        List<String>[] reference = new List[1];
        PeerRuns.inEveryMode(name, true, mode -> {
            AgentJvm.Builder b = mode.converts()
                    ? AgentJvm.builder(app).testClasspath().args(threads).agent(mode.label + ",stats=true")
                    : mode.app(app, threads);
            try (AgentJvm jvm = b.start()) {
                ThreadPeak peak = ThreadPeak.start(jvm);
                Matcher r = jvm.awaitStdout("^RESULT ok=(\\d+) wrong=(\\d+)$", RUN);
                int peakThreads = peak.stop();
                assertEquals(threads + " 0", r.group(1) + " " + r.group(2), "threads right / wrong" + jvm.describeState());
                assertEquals(0, jvm.awaitExit(RUN), "exit code" + jvm.describeState());
                List<String> out = jvm.stdoutLines();
                if (mode == PeerMode.NO_AGENT) {
                    reference[0] = out;
                } else {
                    assertEquals(reference[0], out, "the app's output differs from its output without the agent");
                }
                if (mode.converts()) {
                    checkMechanism(jvm, mode, threads, socketWaits);
                }
                return new PeerRuns.Outcome(peakThreads, threads + " threads' results and the whole output equal"
                        + " the no-agent run; exit 0", jvm);
            }
        });
    }

    private static void checkMechanism(AgentJvm jvm, PeerMode mode, int threads, boolean socketWaits) {
        List<CarrierStatsLine> stats = CarrierStatsLine.of(jvm, mode == PeerMode.CARRIERS_1 ? 1 : 2);
        String all = String.join("\n", jvm.stderrMatching("^coio stats: "));
        assertTrue(CarrierStatsLine.total(stats, CarrierStatsLine::started) >= threads,
                "the app's threads ran as coroutines:\n" + all);
        assertTrue(!socketWaits || CarrierStatsLine.total(stats, CarrierStatsLine::parks) >= threads,
                "their socket waits parked on the carriers' epoll:\n" + all);
        assertEquals(0, CarrierStatsLine.total(stats, s -> s.counter("pinnedWaitHandOffs")),
                "Object.wait hand-offs (none of these waits is pinned):\n" + all);
        assertEquals(List.of(), jvm.stderrMatching("^coio: (?!coroutine mode)"), "coio's own lines on stderr");
    }
}
