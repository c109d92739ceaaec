package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.SocketSemanticsApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import io.coio.it.harness.ScenarioOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Blocking-socket semantics under the agent equal the JDK's own virtual-thread semantics.
 *
 * <p>{@link SocketSemanticsApp} runs every scenario twice: once under the agent ({@code carriers=1},
 * threads started with {@code new Thread}), once without the agent on {@code Thread.ofVirtual()} (the
 * reference). Each test checks one promise: the agent run's outcome equals the reference run's, which
 * equals the outcome written here (so a change in either shows up), and timings where they matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class SocketSemanticsTest {
    static final String[] SCENARIOS = {
        "soTimeout50", "soTimeout300", "soTimeout1500", "acceptTimeout", "connectTimeout", "connectRefused",
        "closeWhileReading", "closeWhileAccepting", "closeChannelWhileReading",
        "interruptWhileReading", "interruptWhileAccepting", "interruptChannelRead",
        "peerReset", "halfClose", "writeAfterPeerReset",
    };

    /**
     * Scenarios whose thread must wait in a socket call (all but {@code connectRefused}): under the agent each
     * such wait is coio's, so the carrier counts at least this many parks. A run-level check: the app cannot
     * tell which readiness served one scenario, and without coio's Poller hook every outcome below would
     * still equal the JDK's (the JDK's poller would have done the waits).
     */
    static final int WAITING_SCENARIOS = SCENARIOS.length - 1;

    ScenarioOutput coio;
    ScenarioOutput jdk;
    CarrierStatsLine coioStats;

    @BeforeAll
    void runBoth() {
        List<String> stats = new ArrayList<>();
        coio = run(AgentJvm.builder(SocketSemanticsApp.class).agent("carriers=1,stats=true"), "thread", stats);
        assertEquals(1, stats.size(), "carriers=1,stats=true prints one coio stats line at exit: " + stats);
        coioStats = CarrierStatsLine.parse(stats.get(0));
        System.out.println("socket semantics under the agent: " + coioStats.line());
        jdk = run(AgentJvm.builder(SocketSemanticsApp.class).noAgent(), "virtual", new ArrayList<>());
        // The scenarios ran after coio had started making sockets' reads and writes itself (HeapSocketIo), so that
        // its results, not the JDK's copy path, are what each test compares with the JDK's.
        assertEquals("linked", coio.result("heapSocketIo"), coio.description());
        assertTrue(coioStats.counter("heapSocketIo") > 0, coioStats.line());
    }

    /** Runs the app to its end; adds the agent's stats lines (if any) to {@code statsOut}. */
    private static ScenarioOutput run(AgentJvm.Builder builder, String threadKind, List<String> statsOut) {
        List<Object> args = new ArrayList<>();
        args.add(threadKind);
        Collections.addAll(args, (Object[]) SCENARIOS);
        try (AgentJvm app = builder.args(args.toArray()).start()) {
            app.awaitStdout("^DONE$", Duration.ofSeconds(120));
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
            statsOut.addAll(app.stderrMatching("^coio stats: "));
            return new ScenarioOutput(app.stdoutLines(), app.describeState());
        }
    }

    /** The scenario ran on a coio coroutine, was seen parked where relevant, and matches the JDK and {@code expected}. */
    private void assertSame(String scenario, String expected) {
        assertEquals("virtual=true coio=true", coio.on(scenario),
                "under the agent, the app's new Thread must run as a coroutine on a coio carrier" + coio.description());
        assertTrue(coioStats.parks() >= WAITING_SCENARIOS, "under the agent the socket waits must be coio's (the"
                + " carrier's epoll counted " + coioStats.parks() + " parks for " + WAITING_SCENARIOS + " waiting"
                + " scenarios), not the JDK poller's: " + coioStats.line());
        assertNull(coio.notParked(scenario), "under the agent, " + scenario + "'s thread was never seen parked"
                + " in the socket call" + coio.description());
        assertNull(jdk.notParked(scenario), "reference run: " + scenario + " never parked" + jdk.description());
        assertEquals(expected, jdk.result(scenario), "reference JDK virtual-thread outcome of " + scenario
                + " changed" + jdk.description());
        assertEquals(jdk.result(scenario), coio.result(scenario), scenario + " under the agent differs from plain"
                + " JDK virtual threads" + coio.description());
    }

    /**
     * Every measured duration of {@code scenario} is at least {@code min} ms (less one: the app reads the clock before
     * the call and the JDK's own timeout check may run on another OS thread — a coroutine resumes on whichever thread
     * drives its carrier — so the reads may be on different CPUs, whose clocks on this VM (TSC) need not agree to the
     * millisecond; seen once as 299 ms for a 300 ms connect timeout, which the JDK itself re-checks) and below 10 s.
     */
    private void assertElapsed(String scenario, long min) {
        for (long ms : coio.elapsed(scenario)) {
            assertTrue(ms >= min - 1, scenario + " ended after " + ms + " ms, earlier than its " + min + " ms timeout"
                    + coio.description());
            assertTrue(ms < 10_000, scenario + " took " + ms + " ms for a " + min + " ms timeout" + coio.description());
        }
    }

    @Test
    @DisplayName("setSoTimeout(50): read throws SocketTimeoutException after >= 50 ms (not rounded up to 1 s), socket stays usable")
    void soTimeout50() {
        assertSame("soTimeout50", String.join("; ", Collections.nCopies(5, "SocketTimeoutException: Read timed out"))
                + "; then read 42");
        assertElapsed("soTimeout50", 50);
        // Rounding the 50 ms timeout up to whole seconds would make every one of the 5 reads take >= 1 s;
        // the fastest of 5 staying under 900 ms tolerates a loaded machine.
        long fastest = Collections.min(coio.elapsed("soTimeout50"));
        assertTrue(fastest < 900, "the fastest of 5 reads with a 50 ms SO_TIMEOUT took " + fastest
                + " ms: timeouts look rounded up to seconds" + coio.description());
    }

    @Test
    @DisplayName("setSoTimeout(300): read throws SocketTimeoutException after >= 300 ms")
    void soTimeout300() {
        assertSame("soTimeout300", "SocketTimeoutException: Read timed out; then read 42");
        assertElapsed("soTimeout300", 300);
    }

    @Test
    @DisplayName("setSoTimeout(1500): read throws SocketTimeoutException after >= 1500 ms, not early")
    void soTimeout1500() {
        assertSame("soTimeout1500", "SocketTimeoutException: Read timed out; then read 42");
        assertElapsed("soTimeout1500", 1500);
    }

    @Test
    @DisplayName("ServerSocket.setSoTimeout(300): accept throws SocketTimeoutException after >= 300 ms")
    void acceptTimeout() {
        assertSame("acceptTimeout", "SocketTimeoutException: Accept timed out");
        assertElapsed("acceptTimeout", 300);
    }

    @Test
    @DisplayName("connect(addr, 300) to a listener with a full accept queue throws SocketTimeoutException after >= 300 ms")
    void connectTimeout() {
        assertSame("connectTimeout", "SocketTimeoutException: Connect timed out; connected=false");
        assertElapsed("connectTimeout", 300);
    }

    @Test
    @DisplayName("connect to a closed port throws ConnectException: Connection refused (Socket and SocketChannel)")
    void connectRefused() {
        assertSame("connectRefused", "socket ConnectException: Connection refused; channel ConnectException: Connection refused");
    }

    @Test
    @DisplayName("close() from another thread wakes a reader parked in Socket read with SocketException: Socket closed, promptly")
    void closeWhileReading() {
        assertSame("closeWhileReading", "SocketException: Socket closed; closed=true");
        for (long ms : coio.elapsed("closeWhileReading")) {
            assertTrue(ms < 5_000, "the reader woke " + ms + " ms after close" + coio.description());
        }
    }

    @Test
    @DisplayName("close() from another thread wakes a thread parked in ServerSocket accept with SocketException")
    void closeWhileAccepting() {
        assertSame("closeWhileAccepting", "SocketException: Socket closed");
    }

    @Test
    @DisplayName("close() from another thread wakes a reader parked in SocketChannel read with AsynchronousCloseException")
    void closeChannelWhileReading() {
        assertSame("closeChannelWhileReading", "java.nio.channels.AsynchronousCloseException");
    }

    @Test
    @DisplayName("interrupt() of an app thread parked in Socket read leaves the socket open and the read going on, as on a platform thread (a JDK virtual thread's socket is closed)")
    void interruptWhileReading() {
        assertPlatformInterrupt("interruptWhileReading", "read returned 7; interrupted=true; closed=false",
                "SocketException: Closed by interrupt; interrupted=true; closed=true");
    }

    @Test
    @DisplayName("interrupt() of an app thread parked in ServerSocket accept leaves it open and accepting, as on a platform thread")
    void interruptWhileAccepting() {
        assertPlatformInterrupt("interruptWhileAccepting", "accepted; interrupted=true; closed=false",
                "SocketException: Closed by interrupt; interrupted=true; closed=true");
    }

    /**
     * An app's own thread keeps platform-thread interrupt semantics under coio; the reference run on JDK
     * virtual threads shows the other semantics, which coio must not give it.
     */
    private void assertPlatformInterrupt(String scenario, String platform, String virtual) {
        assertEquals("virtual=true coio=true", coio.on(scenario), "runs as a coroutine" + coio.description());
        assertNull(coio.notParked(scenario), scenario + "'s thread was never seen parked" + coio.description());
        assertEquals(virtual, jdk.result(scenario), "reference JDK virtual-thread outcome" + jdk.description());
        assertEquals(platform, coio.result(scenario), scenario + " under the agent must behave as on a platform thread"
                + coio.description());
    }

    @Test
    @DisplayName("interrupt() of a thread parked in SocketChannel read throws ClosedByInterruptException and closes the channel")
    void interruptChannelRead() {
        assertSame("interruptChannelRead", "java.nio.channels.ClosedByInterruptException; interrupted=true; open=false");
    }

    @Test
    @DisplayName("peer reset (SO_LINGER 0 + close) wakes a parked reader with SocketException: Connection reset")
    void peerReset() {
        assertSame("peerReset", "SocketException: Connection reset");
    }

    @Test
    @DisplayName("half-close: shutdownOutput gives the peer EOF (-1) while the other direction still delivers data")
    void halfClose() {
        assertSame("halfClose", "server read 1000 bytes then -1; client got 'got 1000' then -1;"
                + " write after shutdownOutput: SocketException: Broken pipe");
    }

    @Test
    @DisplayName("writes after the peer's reset (the socket read before): SocketException: Connection reset by peer, then Broken pipe")
    void writeAfterPeerReset() {
        assertSame("writeAfterPeerReset", "read returned 7; SocketException: Connection reset by peer;"
                + " SocketException: Broken pipe");
    }
}
