package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.ChannelEchoApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.PiecewiseEcho;
import io.coio.it.harness.CarrierStatsLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness tracking for {@code SocketChannel} (agent's {@code ChannelIoTracking}): an unmodified echo server on NIO
 * channels under the agent, fuzzed by clients that send messages of random sizes in random pieces. In blocking mode
 * the read that would return {@code EAGAIN} after a short read is skipped (counted in {@code skippedSyscalls}); in
 * non-blocking mode no read is ever skipped (its caller polls instead of parking). Every byte must come back in both.
 */
@Timeout(180)
class ChannelReadinessTrackingTest {
    private static final int CONNECTIONS = 20;
    private static final int ROUND_TRIPS = 100;

    @Test
    @DisplayName("blocking SocketChannel echo, carriers=2: every byte echoed; the doomed read after a short read is skipped")
    void blockingChannelReadsSkipDoomedSyscalls() throws Exception {
        List<CarrierStatsLine> stats = runEcho("blocking", CONNECTIONS, ROUND_TRIPS);
        long roundTrips = (long) CONNECTIONS * ROUND_TRIPS;
        long skipped = stats.stream().mapToLong(s -> s.counter("skippedSyscalls")).sum();
        long parks = CarrierStatsLine.total(stats, CarrierStatsLine::parks);
        String all = stats.stream().map(CarrierStatsLine::line).toList().toString();
        assertTrue(parks >= roundTrips, "the handlers' reads must wait on the carriers: " + all);
        assertTrue(skipped >= roundTrips / 2, "after a short read the next read must be skipped (it would return"
                + " EAGAIN): skipped " + skipped + " of " + roundTrips + " round trips: " + all);
    }

    @Test
    @DisplayName("non-blocking SocketChannel echo (polled), carriers=2: every byte echoed; no read or write is skipped")
    void nonBlockingChannelReadsAreNeverSkipped() throws Exception {
        List<CarrierStatsLine> stats = runEcho("nonblocking", CONNECTIONS / 2, ROUND_TRIPS / 2);
        long parks = CarrierStatsLine.total(stats, CarrierStatsLine::parks);
        String all = stats.stream().map(CarrierStatsLine::line).toList().toString();
        // Each handler's first read (blocking mode) waited, so its socket has readiness state that a skip could use.
        assertTrue(parks >= 1, "the first, blocking reads waited on the carriers: " + all);
        assertEquals(0, stats.stream().mapToLong(s -> s.counter("skippedSyscalls")).sum(),
                "a non-blocking channel's read or write is never skipped: " + all);
    }

    /** Runs the echo server in {@code mode} and the clients; returns the carriers' stats after a clean stop. */
    private static List<CarrierStatsLine> runEcho(String mode, int connections, int rounds) throws Exception {
        try (AgentJvm server = AgentJvm.builder(ChannelEchoApp.class).agent("carriers=2,stats=true").args(mode).start()) {
            int port = Integer.parseInt(server.awaitStdout("^listening on (\\d+)$").group(1));
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < connections; c++) {
                    long seed = c;
                    done.add(clients.submit(() -> {
                        PiecewiseEcho.run(port, new Random(seed), rounds, true, false);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS); // an echo that lost its wake-up never returns
                }
            } finally {
                clients.shutdownNow();
            }
            server.terminate(Duration.ofSeconds(30));
            List<CarrierStatsLine> stats = CarrierStatsLine.of(server, 2);
            System.out.println("ChannelReadinessTrackingTest " + mode + ": "
                    + stats.stream().map(CarrierStatsLine::line).toList());
            return stats;
        }
    }
}
