package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.EchoChannelPoolApp;
import example.apps.EchoThreadPerConnectionApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import io.coio.it.harness.EchoLoad;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The headline promise: an unmodified thread-per-connection server serves thousands of concurrent
 * connections on a few OS threads.
 */
@Timeout(240)
class ManyConnectionsTest {
    static final int CONNECTIONS = 2_000;
    static final int ROUNDS = 10;
    static final int MAX_OS_THREADS = 64;
    static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    @DisplayName("2,000 concurrent connections to a new-Thread-per-Socket echo server on carriers=1: every byte echoed, <= 64 OS threads")
    void threadPerConnectionServerOnOneCarrier() {
        serve(EchoThreadPerConnectionApp.class, 1);
    }

    @Test
    @DisplayName("2,000 concurrent connections to a ServerSocketChannel + newFixedThreadPool(4000) echo server on carriers=2: every byte echoed, <= 64 OS threads")
    void channelPoolServerOnTwoCarriers() {
        serve(EchoChannelPoolApp.class, 2);
    }

    @Test
    @DisplayName("where native epoll cannot load, the agent says so in its start-up line and the server still runs on coroutines (readiness from the JDK poller): every byte echoed, <= 64 OS threads")
    void nioFallbackIsAnnouncedAndStillServes() {
        // Netty's own switch to refuse its native transport, under the name the shaded copy reads.
        serve(EchoThreadPerConnectionApp.class, 1, "^coio: coroutine mode, 1 carrier, NIO loop \\(native epoll unavailable",
                "-Dio.coio.shaded.io.netty.transport.noNative=true");
    }

    @Test
    @DisplayName("control: without the agent the same server needs an OS thread per connection (the thread count really measures the app)")
    void withoutAgentEveryConnectionCostsAnOsThread() {
        int connections = 300;
        try (AgentJvm server = AgentJvm.builder(EchoThreadPerConnectionApp.class).noAgent().start()) {
            int port = Integer.parseInt(server.awaitStdout("^listening on (\\d+)$").group(1));
            AtomicInteger threads = new AtomicInteger();
            EchoLoad.Result result = EchoLoad.run(port, connections, 2, BOUND,
                    () -> threads.set(server.osThreadCount()));
            EchoLoad.assertAllEchoed(result, connections, 2);
            assertTrue(threads.get() >= connections, "without the agent " + connections + " connections should"
                    + " use at least as many OS threads, /proc says " + threads.get());
        }
    }

    private static void serve(Class<?> app, int carriers) {
        serve(app, carriers, "^coio: coroutine mode, \\d+ carriers?, epoll readiness");
    }

    /**
     * Runs the load and checks the promises; then, from the stats the agent prints when the server is
     * stopped, which readiness served it: the carriers' epoll (every connection's handler waited there at
     * least once) or, where epoll is refused, the JDK's poller (no wait reached a carrier).
     */
    private static void serve(Class<?> app, int carriers, String startupLine, String... jvmArgs) {
        boolean epoll = startupLine.contains("epoll readiness");
        AgentJvm.Builder builder = AgentJvm.builder(app).agent("carriers=" + carriers + ",stats=true");
        for (String arg : jvmArgs) {
            builder.jvmArg(arg);
        }
        try (AgentJvm server = builder.start()) {
            server.awaitStdout("^coio\\.mode=.*$");
            int port = Integer.parseInt(server.awaitStdout("^listening on (\\d+)$").group(1));
            // The startup line comes before main runs; allow for the stderr pipe lagging behind stdout.
            server.awaitLine(AgentJvm.Stream.STDERR, startupLine, Duration.ofSeconds(10));
            assertEquals(1, server.stdoutMatching("^coio\\.mode=coroutine coio\\.carriers=" + carriers + "$").size(),
                    "coio.mode/coio.carriers system properties" + server.describeState());

            AtomicInteger maxThreads = new AtomicInteger();
            EchoLoad.Result result = EchoLoad.run(port, CONNECTIONS, ROUNDS, BOUND, () -> {
                // All 2,000 connections are open and each has a live handler thread in the app.
                for (int i = 0; i < 5; i++) {
                    maxThreads.accumulateAndGet(server.osThreadCount(), Math::max);
                }
            });
            System.out.println(app.getSimpleName() + " on carriers=" + carriers + ": " + maxThreads.get()
                    + " OS threads while " + CONNECTIONS + " connections were open");
            EchoLoad.assertAllEchoed(result, CONNECTIONS, ROUNDS);
            assertTrue(maxThreads.get() > 0, "thread count was never sampled");
            assertTrue(maxThreads.get() <= MAX_OS_THREADS, "the server used " + maxThreads.get()
                    + " OS threads while " + CONNECTIONS + " connections were open; coio promises a few carriers"
                    + " (limit " + MAX_OS_THREADS + ")" + server.describeState());

            // The handler threads the app started are virtual threads on coio's carriers.
            List<String> handlers = server.stdoutMatching("^handler \\d+ ");
            assertEquals(5, handlers.size(), "handler report lines" + server.describeState());
            for (String h : handlers) {
                assertTrue(h.contains("virtual=true") && h.matches(".*@coio-carrier-[0-" + (carriers - 1) + "]\\b.*"),
                        "handler thread is not a coroutine on carriers 0.." + (carriers - 1) + ": " + h);
            }
            assertEquals(List.of(), server.stdoutMatching("handler error"), "server-side handler errors");

            server.terminate(Duration.ofSeconds(30)); // SIGTERM: the agent's shutdown hook prints the stats lines
            List<CarrierStatsLine> stats = CarrierStatsLine.of(server, carriers);
            long parks = CarrierStatsLine.total(stats, CarrierStatsLine::parks);
            long wakeups = CarrierStatsLine.total(stats, CarrierStatsLine::wakeups);
            System.out.println(app.getSimpleName() + " on carriers=" + carriers + ": " + stats.stream().map(CarrierStatsLine::line).toList());
            if (epoll) {
                assertTrue(parks >= CONNECTIONS && wakeups >= CONNECTIONS, "the handlers' socket waits must be armed"
                        + " and woken on the carriers' epoll (parks and wakeups >= " + CONNECTIONS + "): " + stats);
            } else {
                assertEquals(0, parks, "with the NIO loop, readiness is the JDK poller's: no wait may reach a carrier's"
                        + " epoll: " + stats);
            }
        }
    }
}
