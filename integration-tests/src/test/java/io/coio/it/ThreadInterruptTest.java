package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.ThreadInterruptApp;
import io.coio.it.harness.AgentJvm;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A converted thread's interrupt status is where a platform thread's would be: an interrupt before start is
 * seen inside, the status at the end stays on the ended thread (also when set while re-entering a monitor
 * after wait), and an interrupt wakes Selector.select(). Same answers without the agent.
 */
@Timeout(180)
class ThreadInterruptTest {

    static Map<String, String> expected() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("beforeStart", "flagBeforeStart=true isInterrupted=true interrupted()=true thenCleared=true alive=false"
                + " endedInterrupted=false");
        m.put("endsInterrupted", "alive=false isInterrupted=true");
        m.put("endsCleared", "alive=false clearedByException=true isInterrupted=false");
        m.put("reenterInterrupted", "wait returned isInterrupted=true");
        m.put("selectInterrupted", "returned 0 isInterrupted=true alive=false");
        return m;
    }

    private static Map<String, String> run(AgentJvm.Builder builder) {
        try (AgentJvm app = builder.start()) {
            app.awaitStdout("^DONE$");
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
            Map<String, String> seen = new LinkedHashMap<>();
            for (String l : app.stdoutMatching("^CHECK ")) {
                String[] p = l.split(" ", 3);
                seen.put(p[1], p.length == 3 ? p[2] : "");
            }
            return seen;
        }
    }

    private static void assertChecks(Map<String, String> seen, String kind, String what) {
        Map<String, String> expected = new LinkedHashMap<>(expected());
        expected.put("kind", kind);
        StringBuilder wrong = new StringBuilder();
        expected.forEach((k, v) -> {
            if (!v.equals(seen.get(k))) {
                wrong.append("\n  ").append(k).append(": expected '").append(v).append("', was '").append(seen.get(k)).append("'");
            }
        });
        assertTrue(wrong.isEmpty(), what + ":" + wrong);
    }

    @ParameterizedTest(name = "carriers={0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("under the agent a converted thread's interrupt status moves in at start, stays at the end, and wakes select()")
    void underAgent(int carriers) {
        assertChecks(run(AgentJvm.builder(ThreadInterruptApp.class).agent("carriers=" + carriers)),
                "virtual=true coio=true", "under the agent");
    }

    @Test
    @DisplayName("reference: the expectations are the JDK's own, on platform threads")
    void withoutAgent() {
        assertChecks(run(AgentJvm.builder(ThreadInterruptApp.class).noAgent()), "virtual=false coio=false",
                "without the agent");
    }
}
