package io.coio.it;


import example.apps.ThreadInterruptApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CheckLines;
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


    @ParameterizedTest(name = "carriers={0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("under the agent a converted thread's interrupt status moves in at start, stays at the end, and wakes select()")
    void underAgent(int carriers) {
        CheckLines.assertMatch(expected(), "virtual=true coio=true",
                CheckLines.run(AgentJvm.builder(ThreadInterruptApp.class).agent("carriers=" + carriers)), "under the agent");
    }

    @Test
    @DisplayName("reference: the expectations are the JDK's own, on platform threads")
    void withoutAgent() {
        CheckLines.assertMatch(expected(), "virtual=false coio=false",
                CheckLines.run(AgentJvm.builder(ThreadInterruptApp.class).noAgent()), "without the agent");
    }
}
