package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.StartupWorkApp;
import io.coio.it.harness.AgentJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK rewrites the build precomputed (agent/README.md, "Start-up"): on the JDK the agent was built with, a real
 * install takes every rewritten JDK class from the agent jar and loads no ASM; when the JVM's bytes differ (forced
 * with the test-only {@code coio.test.precomputedMismatch}) every class is rewritten at run time instead, with ASM,
 * and the agent works the same. Both modes. Which path each class took comes from {@code -Dcoio.debug.precomputed}.
 */
class PrecomputedRewritesTest {
    private static final String FAST = ": precomputed rewrite from the agent jar";
    private static final String SLOW = ": rewritten at run time (the JVM's bytes differ from those the rewrite was"
            + " precomputed from)";

    @Test
    @DisplayName("coroutine mode, same JDK: every hooked JDK class comes precomputed, no ASM class is loaded, coio works")
    void coroutineModeTakesThePrecomputedRewrites(@TempDir Path dir) throws Exception {
        Run run = run(dir, "carriers=2", false);
        assertPaths(run, FAST, "java.lang.Thread", "java.lang.VirtualThread", "sun.nio.ch.Poller",
                "sun.nio.ch.NioSocketImpl", "java.lang.management.ManagementFactory");
        assertTrue(!run.asmLoaded, "ASM was loaded although every class came precomputed");
    }

    @Test
    @DisplayName("coroutine mode, the JVM's bytes differ: every hooked JDK class is rewritten at run time, coio works")
    void coroutineModeRewritesAtRunTimeOnAMismatch(@TempDir Path dir) throws Exception {
        Run run = run(dir, "carriers=2", true);
        assertPaths(run, SLOW, "java.lang.Thread", "java.lang.VirtualThread", "sun.nio.ch.Poller",
                "sun.nio.ch.NioSocketImpl", "java.lang.management.ManagementFactory");
        assertTrue(run.asmLoaded, "no ASM class loaded: the run-time rewrite did not run");
    }

    @Test
    @DisplayName("detect mode: precomputed on the same JDK, rewritten at run time on a mismatch; installed both ways")
    void detectModeBothWays(@TempDir Path dir) throws Exception {
        Run fast = run(dir.resolve("fast"), "mode=detect", false);
        assertPaths(fast, FAST, "java.lang.Thread", "java.lang.Object", "java.io.FileInputStream");
        assertTrue(!fast.asmLoaded, "ASM was loaded although every class came precomputed");
        Run slow = run(dir.resolve("slow"), "mode=detect", true);
        assertPaths(slow, SLOW, "java.lang.Thread", "java.lang.Object", "java.io.FileInputStream");
        assertTrue(slow.asmLoaded, "no ASM class loaded: the run-time rewrite did not run");
    }

    private record Run(AgentJvm app, List<String> paths, boolean asmLoaded) {
    }

    /** Every path line says {@code path}, and those of {@code classes} are among them. */
    private static void assertPaths(Run run, String path, String... classes) {
        for (String line : run.paths) {
            assertTrue(line.endsWith(path), line + "\n" + run.app.describeState());
        }
        for (String c : classes) {
            assertTrue(run.paths.contains("coio: " + c + path), c + " not reported\n" + run.app.describeState());
        }
    }

    private static Run run(Path dir, String agentOptions, boolean mismatch) throws Exception {
        Files.createDirectories(dir);
        Path log = dir.resolve("classes.txt");
        AgentJvm.Builder b = AgentJvm.builder(StartupWorkApp.class).agent(agentOptions).args("jmx")
                .jvmArg("-Dcoio.debug.precomputed=true").jvmArg("-Xlog:class+load=info:file=" + log);
        if (mismatch) {
            b.jvmArg("-Dcoio.test.precomputedMismatch=true");
        }
        AgentJvm app = b.start();
        try (app) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app.describeState());
        }
        // the app's Thread.currentThread() and its MBean server went through rewritten JDK classes
        assertEquals(List.of("SAME=true"), app.stdoutMatching("^SAME="), app.describeState());
        boolean coroutine = !agentOptions.contains("mode=detect");
        assertEquals(List.of("COIO_MBEANS=" + (coroutine ? 3 : 0)), app.stdoutMatching("^COIO_MBEANS="),
                app.describeState());
        assertEquals(1, app.stderrMatching(coroutine ? "^coio: coroutine mode" : "^coio: detect mode").size(),
                app.describeState());
        List<String> paths = app.stderrMatching("^coio: [\\w.$]+: (precomputed|rewritten at run time)");
        assertTrue(paths.size() >= 5, "too few path lines\n" + app.describeState());
        boolean asm = Files.readAllLines(log).stream().anyMatch(l -> l.contains("io.coio.shaded.org.objectweb.asm."));
        return new Run(app, paths, asm);
    }
}
