package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.StarvedSpinApp;
import io.coio.it.harness.AgentJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The busy time slice on a machine so loaded that a spinning coroutine gets under a tenth of a CPU: the app JVM is
 * pinned to CPU 0 ({@code taskset}) beside 15 shell loops pinned there too. The spinner is then runnable for the
 * kernel ('R') but uses little CPU; the watchdog must still move it off the carrier, or the thread queued behind it
 * on the only carrier waits for as long as it spins (seen in commons-pool's suite: a spin of 1,019 ms not moved).
 */
class StarvedSpinnerTest {
    private static final int HOGS = 15;

    @Test
    @DisplayName("carriers=1, CPU starved: a spinning coroutine that gets under a tenth of a CPU is still moved by the busy slice, so the thread queued behind it runs")
    void starvedSpinnerIsMoved(@TempDir Path dir) throws Exception {
        Path java = dir.resolve("java-on-cpu0");
        Files.writeString(java, "#!/bin/sh\nexec taskset -c 0 '" + AgentJvm.currentJava() + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Process> hogs = new ArrayList<>();
        try {
            for (int i = 0; i < HOGS; i++) {
                hogs.add(new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start());
            }
            try (AgentJvm app = AgentJvm.builder(StarvedSpinApp.class).java(java)
                    .agent("carriers=1,stats=true,blockedms=60000").start()) {
                app.awaitStdout("^SPINNER ", Duration.ofSeconds(90));
                assertEquals(List.of("SPINNER stopped by the other thread"), app.stdoutMatching("^SPINNER "),
                        "the other thread ran while the spinner spun" + app.describeState());
                Map<String, Long> stats = CarrierHandOffTest.stats(app);
                assertTrue(stats.get("busyHandOffs") >= 1, "busyHandOffs: " + stats);
            }
        } finally {
            for (Process p : hogs) {
                p.destroyForcibly();
            }
            for (Process p : hogs) {
                p.waitFor();
            }
        }
    }

}
