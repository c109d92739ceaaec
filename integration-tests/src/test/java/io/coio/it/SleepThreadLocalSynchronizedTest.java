package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.StatefulServerApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import io.coio.it.harness.LineClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * On one carrier, per-connection handler threads keep their own ThreadLocal state, Thread.sleep yields
 * to the other connections, and socket reads/writes inside {@code synchronized} still park instead of
 * blocking the carrier. One server JVM for the first two tests; the synchronized test has its own, so that
 * the carrier counters it prints at exit are its own.
 *
 * <p>Each test also proves the mechanism, because the JDK has fallbacks that would pass the behaviour alone:
 * without coio's {@code VirtualThread.schedule} hook a coroutine's sleep still yields, on the JDK's
 * "VirtualThread-unparker" timer thread (so the test asserts that thread never exists); without coio's Poller
 * hook a read inside {@code synchronized} still yields, through the JDK's poller threads, and if
 * {@code synchronized} pinned, the pinned hand-off would still keep the carrier's loop running (so the test
 * asserts that the carrier's epoll counted the waits and that no pinned hand-off happened).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class SleepThreadLocalSynchronizedTest {
    static final int CONNECTIONS = 40;
    static final Duration ANSWER = Duration.ofSeconds(20);

    AgentJvm server;
    int port;

    @BeforeAll
    void start() {
        server = AgentJvm.builder(StatefulServerApp.class).agent("carriers=1").start();
        port = Integer.parseInt(server.awaitStdout("^listening on (\\d+)$").group(1));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private List<LineClient> connect(int n, String prefix) {
        List<LineClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(new LineClient(port, ANSWER, prefix + i));
        }
        return clients;
    }

    /** The handler of {@code c} must be a coroutine, or the test would prove nothing about coio. */
    private void assertCoroutine(LineClient c) {
        String who = c.call("whoami", "whoami" + server.describeState());
        assertTrue(who.endsWith(" virtual=true coio=true"), "handler thread is not a coio coroutine: " + who);
    }

    /** coio's timer hook puts every coroutine timer on the carrier's loop: the JDK's own timer thread never starts. */
    private void assertNoJdkTimerThread(LineClient c) {
        assertEquals("jdk-timer-threads 0", c.call("timers", "timers" + server.describeState()),
                "a coroutine's timer went to the JDK's VirtualThread-unparker thread, not to the carrier's timer queue");
    }

    private static void closeAll(List<LineClient> clients) {
        clients.forEach(LineClient::close);
    }

    @Test
    @DisplayName("handler threads are coroutines on coio-carrier-0, and each connection's ThreadLocal sum stays its own while 40 connections interleave")
    void threadLocalPerConnection() {
        List<LineClient> clients = connect(CONNECTIONS, "tl-");
        try {
            clients.forEach(this::assertCoroutine);
            long[] sums = new long[CONNECTIONS];
            for (int round = 1; round <= 5; round++) {
                for (int i = 0; i < CONNECTIONS; i++) {
                    clients.get(i).send("add " + (i * 1000 + round));
                }
                for (int i = 0; i < CONNECTIONS; i++) {
                    sums[i] += i * 1000 + round;
                    assertEquals("sum " + sums[i], clients.get(i).receive("add, round " + round + server.describeState()),
                            "connection " + i + " round " + round + ": ThreadLocal state crossed between connections");
                }
            }
        } finally {
            closeAll(clients);
        }
    }

    @Test
    @DisplayName("Thread.sleep(1000) in 40 handlers at once on one carrier: the sleeps overlap instead of running one after another, on the carrier's timer queue (the JDK's VirtualThread-unparker thread never starts)")
    void sleepYields() {
        List<LineClient> clients = connect(CONNECTIONS, "sleep-");
        try {
            assertCoroutine(clients.get(0));
            assertNoJdkTimerThread(clients.get(0));
            long t0 = System.nanoTime();
            for (LineClient c : clients) {
                c.send("sleep 1000");
            }
            int maxConcurrent = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                String a = clients.get(i).receive("sleep" + server.describeState());
                assertTrue(a.startsWith("slept 1000 concurrent "), a);
                maxConcurrent = Math.max(maxConcurrent, Integer.parseInt(a.substring("slept 1000 concurrent ".length())));
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // One after another would be 40 s with at most 1 sleeper at a time.
            assertTrue(maxConcurrent >= CONNECTIONS / 2, "at most " + maxConcurrent + " of " + CONNECTIONS
                    + " handlers were sleeping at once: Thread.sleep blocks the carrier");
            assertTrue(ms < 15_000, "40 concurrent 1 s sleeps took " + ms + " ms");
            assertNoJdkTimerThread(clients.get(0));
        } finally {
            closeAll(clients);
        }
    }

    @Test
    @DisplayName("a socket read parked inside synchronized does not block the carrier: the newest connection is answered while 39 older handlers wait in synchronized reads; the carrier's epoll counted the waits and no pinned hand-off happened")
    void readInsideSynchronized() {
        try (AgentJvm own = AgentJvm.builder(StatefulServerApp.class).agent("carriers=1,stats=true").start()) {
            int ownPort = Integer.parseInt(own.awaitStdout("^listening on (\\d+)$").group(1));
            try (LineClient probe = new LineClient(ownPort, ANSWER, "probe")) {
                String who = probe.call("whoami", "whoami" + own.describeState());
                assertTrue(who.endsWith(" virtual=true coio=true"), "handler thread is not a coio coroutine: " + who);
            }
            List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    clients.add(new LineClient(ownPort, ANSWER, "sync-" + i));
                }
                // Every handler now waits for its first line inside synchronized(connectionLock). Talk to
                // them newest first: with a carrier blocked by the oldest, nothing would ever answer.
                for (int i = CONNECTIONS - 1; i >= 0; i--) {
                    assertEquals("sum " + i, clients.get(i).call("add " + i, "add from connection " + i
                            + " while older handlers sit in synchronized reads" + own.describeState()));
                }
            } finally {
                closeAll(clients);
            }
            try (LineClient last = new LineClient(ownPort, ANSWER, "quit")) {
                last.send("quit");
            }
            assertEquals(0, own.awaitExit(Duration.ofSeconds(30)), "exit code" + own.describeState());

            // Every read of this app is inside synchronized; each of the 40 handlers waited at least once for its
            // first line (it was sent only after all 40 had started), and that data woke it.
            CarrierStatsLine stats = CarrierStatsLine.of(own, 1).get(0);
            System.out.println("read inside synchronized: " + stats.line());
            assertTrue(stats.parks() >= CONNECTIONS, "the waits inside synchronized must be armed on the carrier's"
                    + " epoll (parks >= " + CONNECTIONS + "), not left to the JDK's poller: " + stats.line());
            assertTrue(stats.wakeups() >= CONNECTIONS, "the waits inside synchronized must be woken by the carrier's"
                    + " epoll (wakeups >= " + CONNECTIONS + "): " + stats.line());
            assertEquals(0, stats.pinnedFallbacks(), "a wait inside synchronized must unmount, not pin its carrier"
                    + " (no pinned hand-off): " + stats.line());
        }
    }
}
