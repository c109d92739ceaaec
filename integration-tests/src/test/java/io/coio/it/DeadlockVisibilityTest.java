package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import example.apps.DeadlockApp;
import io.coio.it.harness.AgentJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A documented limit, pinned down so that a change shows: the JVM's deadlock detector does not see converted
 * threads (it looks at platform threads' monitors and synchronizers), so a deadlock among them is reported as none,
 * and {@code ThreadInfo} of a converted thread blocked entering a monitor names neither the lock nor its owner.
 */
@Timeout(120)
class DeadlockVisibilityTest {
    static final Duration RUN = Duration.ofSeconds(90);

    @Test
    @DisplayName("reference without the agent: findMonitorDeadlockedThreads 2, findDeadlockedThreads 4, ThreadInfo names the monitor and its owner")
    void withoutAgent() {
        assertEquals(List.of("monitor deadlock: 2", "all deadlocks: 4", "blocked thread info: state=BLOCKED lockName=true lockOwner=monitor-2"),
                run(AgentJvm.builder(DeadlockApp.class).noAgent()));
    }

    @Test
    @DisplayName("limit under the agent (carriers=1): the same deadlocks are not found, the blocked thread's ThreadInfo has its state but no lock")
    void underAgentTheDetectorDoesNotSeeConvertedThreads() {
        assertEquals(List.of("monitor deadlock: 0", "all deadlocks: 0", "blocked thread info: state=BLOCKED lockName=false lockOwner=null"),
                run(AgentJvm.builder(DeadlockApp.class).agent("carriers=1")));
    }

    private static List<String> run(AgentJvm.Builder builder) {
        try (AgentJvm app = builder.start()) {
            assertEquals(0, app.awaitExit(RUN), app.describeState());
            return app.stdoutLines();
        }
    }
}
