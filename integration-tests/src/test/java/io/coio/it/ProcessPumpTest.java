package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.ProcessPumpApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Child processes started and pumped by converted threads: the JDK marks process pipe reads and writes with
 * {@code Blocker}, so each blocked pump hands its carrier's loop off and keeps an OS thread while it blocks, as it
 * would without coio. The app sees the same bytes, exit codes, timeouts and {@code onExit} results.
 */
@Timeout(180)
class ProcessPumpTest {
    static final int PROCESSES = 20;
    static final Duration RUN = Duration.ofSeconds(120);

    @Test
    @DisplayName("20 cat processes pumped by 60 threads, sh exit codes, waitFor timeout, destroy, onExit, redirects, a pool of sh round trips: same output without the agent, on carriers=1 and carriers=2")
    void processesPumpedByAppThreads() {
        List<String> reference = run(AgentJvm.builder(ProcessPumpApp.class).noAgent(), null);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            expected.add(String.format("cat %02d same=true exit=0", i));
        }
        expected.addAll(List.of("sh out=out err=err exit=7", "waitFor(300 ms) on sleep 5: false early=false",
                "onExit after destroy: alive=false exit=143", "cat destroyForcibly: waitFor=137 reader got read -1",
                "redirect exit=0 file=abc|def|", "handle onExit alive=false exit=3"));
        for (int i = 0; i < 16; i++) {
            expected.add("pool " + i + ":got " + i + ":e" + i + ":true:" + i % 5);
        }
        expected.add("done");
        assertEquals(expected, reference, "the app without the agent");
        for (int carriers : new int[] {1, 2}) {
            assertEquals(reference, run(AgentJvm.builder(ProcessPumpApp.class).agent("carriers=" + carriers + ",stats=true"),
                    carriers), "carriers=" + carriers + ": the same output as without the agent");
        }
    }

    private static List<String> run(AgentJvm.Builder builder, Integer carriers) {
        try (AgentJvm app = builder.args(PROCESSES).start()) {
            assertEquals(0, app.awaitExit(RUN), app.describeState());
            if (carriers != null) {
                List<CarrierStatsLine> stats = CarrierStatsLine.of(app, carriers);
                String all = String.join("\n", app.stderrMatching("^coio stats: "));
                assertTrue(CarrierStatsLine.total(stats, CarrierStatsLine::started) >= 3 * PROCESSES,
                        "the starters and pumps ran as coroutines:\n" + all);
                assertTrue(CarrierStatsLine.total(stats, s -> s.counter("blockerHandOffs")) >= PROCESSES,
                        "blocked pipe reads and writes handed their carrier off (Blocker):\n" + all);
                assertEquals(List.of(), app.stderrMatching("^coio: (?!coroutine mode)"), "coio's own lines on stderr");
            }
            return app.stdoutLines();
        }
    }
}
