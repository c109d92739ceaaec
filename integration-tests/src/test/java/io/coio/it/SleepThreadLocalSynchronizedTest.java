package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.StatefulServerApp;
import io.coio.it.harness.AgentJvm;
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
 * blocking the carrier. One server JVM for the class.
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
    @DisplayName("Thread.sleep(1000) in 40 handlers at once on one carrier: the sleeps overlap instead of running one after another")
    void sleepYields() {
        List<LineClient> clients = connect(CONNECTIONS, "sleep-");
        try {
            assertCoroutine(clients.get(0));
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
        } finally {
            closeAll(clients);
        }
    }

    @Test
    @DisplayName("a socket read parked inside synchronized does not block the carrier: the newest connection is answered while 39 older handlers wait in synchronized reads")
    void readInsideSynchronized() {
        try (LineClient probe = new LineClient(port, ANSWER, "probe")) {
            assertCoroutine(probe);
        }
        List<LineClient> clients = connect(CONNECTIONS, "sync-");
        try {
            // Every handler now waits for its first line inside synchronized(connectionLock). Talk to
            // them newest first: with a carrier blocked by the oldest, nothing would ever answer.
            for (int i = CONNECTIONS - 1; i >= 0; i--) {
                assertEquals("sum " + i, clients.get(i).call("add " + i, "add from connection " + i
                        + " while older handlers sit in synchronized reads" + server.describeState()));
            }
        } finally {
            closeAll(clients);
        }
    }
}
