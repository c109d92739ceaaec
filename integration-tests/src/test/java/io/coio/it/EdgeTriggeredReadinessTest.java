package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.EchoThreadPerConnectionApp;
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
 * Edge-triggered, persistent epoll registration with readiness tracking, end to end: an unmodified
 * thread-per-connection echo server under the agent, fuzzed by clients that send messages of random sizes in random
 * pieces (so the server's reads are sometimes full, sometimes short, sometimes find nothing) while short-lived
 * connections come and go (so fd numbers are closed and reused all the time). Every byte must come back, and the
 * counters must show the mechanism: each connection registered once, the doomed {@code read} skipped, and no
 * {@code epoll_ctl} per wait. (The interleavings themselves are fuzzed in runtime's EdgeTrackingInterleavingTest.)
 */
@Timeout(180)
class EdgeTriggeredReadinessTest {
    private static final int LONG_LIVED = 40;
    private static final int ROUND_TRIPS = 150;
    private static final int SHORT_LIVED = 400;

    @Test
    @DisplayName("random message sizes and pieces, fd numbers reused by short-lived connections, carriers=2: every byte echoed; one registration per connection, reads skipped, no epoll_ctl per wait")
    void fuzzedEchoKeepsEveryByteAndSkipsDoomedReads() throws Exception {
        try (AgentJvm server = AgentJvm.builder(EchoThreadPerConnectionApp.class)
                .agent("carriers=2,stats=true").start()) {
            int port = Integer.parseInt(server.awaitStdout("^listening on (\\d+)$").group(1));
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < LONG_LIVED; c++) {
                long seed = c;
                done.add(clients.submit(() -> {
                    PiecewiseEcho.run(port, new Random(seed), ROUND_TRIPS, false, true);
                    return null;
                }));
            }
            for (int c = 0; c < SHORT_LIVED; c++) {
                long seed = 1_000 + c;
                done.add(clients.submit(() -> {
                    PiecewiseEcho.run(port, new Random(seed), 1, false, true);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS); // an echo that lost its wake-up never returns
            }
            clients.shutdown();

            server.terminate(Duration.ofSeconds(30));
            List<CarrierStatsLine> stats = CarrierStatsLine.of(server, 2);
            long connections = LONG_LIVED + SHORT_LIVED;
            long roundTrips = LONG_LIVED * ROUND_TRIPS + SHORT_LIVED;
            long registrations = stats.stream().mapToLong(s -> s.counter("registrations")).sum();
            long rearms = stats.stream().mapToLong(s -> s.counter("rearms")).sum();
            long skipped = stats.stream().mapToLong(s -> s.counter("skippedSyscalls")).sum();
            long heapIo = stats.stream().mapToLong(s -> s.counter("heapSocketIo")).sum();
            long parks = CarrierStatsLine.total(stats, CarrierStatsLine::parks);
            String all = stats.stream().map(CarrierStatsLine::line).toList().toString();
            System.out.println("EdgeTriggeredReadinessTest: " + all);
            // the listening socket and each accepted connection: registered once for its life
            assertTrue(registrations <= connections + 1, "registrations " + registrations + " > " + (connections + 1)
                    + ": an fd was registered more than once: " + all);
            assertTrue(parks >= roundTrips, "the handlers' reads must wait on the carriers: " + all);
            // untracked waits re-arm (the accept waits, at most one per connection); the tracked waits make no epoll_ctl
            assertTrue(rearms <= connections + 1, "rearms " + rearms + " > " + (connections + 1) + ": " + all);
            assertTrue(parks - rearms - registrations >= roundTrips / 2, "most waits must need no epoll_ctl: " + all);
            assertTrue(skipped >= roundTrips / 2, "after a short read the next read must be skipped (it would return"
                    + " EAGAIN): skipped " + skipped + " of " + roundTrips + " round trips: " + all);
            // tracked reads and writes go through recv/send on the app's arrays once coio-link is done (HeapSocketIo)
            assertTrue(heapIo >= roundTrips / 2, "only " + heapIo + " socket reads and writes of " + roundTrips
                    + " round trips were made on the app's arrays: " + all);
        }
    }
}
