package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.MonitorWaitApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Object.wait} of a converted thread unmounts (JDK 25, JEP 491, also while it holds monitors) and costs no
 * carrier hand-off; only a wait that would pin (class initializer, native frame) hands off
 * ({@code CarrierHandOffTest.pinnedObjectWait}).
 */
@Timeout(120)
class MonitorWaitTest {
    static final int THREADS = 200;
    static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    @DisplayName("carriers=1 (watchdog on, and blockedms=0): 200 threads in Object.wait at once (untimed, wait(ms), wait(ms, ns)) print what they print without the agent, with no hand-off and nothing from coio on stderr")
    void unpinnedWaitsUnmountWithoutHandOff() {
        List<String> reference = run(AgentJvm.builder(MonitorWaitApp.class).noAgent());
        assertEquals(List.of("all waiting: true", "woken: " + THREADS, "timed rounds: " + THREADS * 5, "all ended: true"),
                reference, "the app without the agent");
        // With the watchdog (default) a wait is marked and handed off only if it lasts (deferred); with blockedms=0 a
        // walk of the coroutine's stack decides at once. Both must leave unpinned waits alone.
        for (String options : List.of("carriers=1,stats=true", "carriers=1,stats=true,blockedms=0")) {
            try (AgentJvm app = AgentJvm.builder(MonitorWaitApp.class).agent(options).args(THREADS).start()) {
                assertEquals(0, app.awaitExit(WAIT), app.describeState());
                assertEquals(reference, app.stdoutLines(), options + ": same output as without the agent" + app.describeState());
                CarrierStatsLine stats = CarrierStatsLine.of(app, 1).get(0);
                assertTrue(stats.started() >= THREADS, options + ": the waiters ran as coroutines: " + stats.line());
                // Each wait handed the loop off before the fix (1,200 here; Continuation.isPinned answers true for
                // every wait on JDK 25), and the spares running out started 43 more threads.
                assertEquals(0, stats.counter("pinnedWaitHandOffs"), options + ": hand-offs for unpinned waits: " + stats.line());
                assertEquals(0, stats.counter("extraLoopThreads"), options + ": " + stats.line());
                assertEquals(List.of(), app.stderrMatching("^coio: (?!coroutine mode)"), options + ": coio's own lines on stderr");
            }
        }
    }

    private static List<String> run(AgentJvm.Builder builder) {
        try (AgentJvm app = builder.args(THREADS).start()) {
            assertEquals(0, app.awaitExit(WAIT), app.describeState());
            return app.stdoutLines();
        }
    }
}
