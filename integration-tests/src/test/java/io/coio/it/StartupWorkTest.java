package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.StartupWorkApp;
import io.coio.it.harness.AgentJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent does at start-up, counted in classes rather than timed (timing belongs in the start-up benchmark,
 * examples/run-startup.sh): an app that uses neither JMX nor JFR gets no JFR metadata, no platform MBean server,
 * no FFM linker and no java.util.logging at start-up (each costs tens of milliseconds), while coio is installed and
 * works; and an app that asks for the platform MBean server later finds coio's MBeans in it.
 */
class StartupWorkTest {
    /** Loaded only when JFR registers an event type / the platform MBean server is made / the FFM linker is used. */
    static final List<String> EXPENSIVE = List.of("jdk.jfr.internal.MetadataRepository",
            "com.sun.jmx.mbeanserver.JmxMBeanServer", "jdk.internal.foreign.abi.DowncallLinker",
            "java.util.logging.Logger"); // Netty's default logging, before coio's Netty logged through coio

    @Test
    @DisplayName("coroutine mode: no JFR metadata, no MBean server, no FFM linker loaded at start-up; the bridge is in"
            + " java.base and a converted thread still sees its own Thread")
    void nothingExpensiveAtStartUp(@TempDir Path dir) throws Exception {
        Set<String> loaded = run(dir, "carriers=2");
        for (String c : EXPENSIVE) {
            assertTrue(!loaded.contains(c), c + " was loaded at start-up");
        }
        assertTrue(loaded.contains("sun.nio.ch.CoioBridge") && loaded.contains("java.lang.CoioThreads"),
                "coio was not installed");
        assertNoSpunClassesOfCoio(loaded, 100);
    }

    @Test
    @DisplayName("mode=detect: no JFR metadata, no MBean server, no FFM linker loaded at start-up")
    void nothingExpensiveAtStartUpInDetectMode(@TempDir Path dir) throws Exception {
        Set<String> loaded = run(dir, "mode=detect");
        for (String c : EXPENSIVE) {
            assertTrue(!loaded.contains(c), c + " was loaded at start-up");
        }
        assertTrue(loaded.contains("sun.nio.ch.CoioBridge"), "coio was not installed");
        assertNoSpunClassesOfCoio(loaded, 50);
    }

    /**
     * java.lang.invoke's spun classes at start-up (agent/README.md, "Start-up time"): none of coio's own lambdas (each
     * is a class spun at first use), and few LambdaForms. The bridge's hooks are plain classes
     * (sun.nio.ch.CoioHooks); as MutableCallSites with their invokers, they spun ~100 LambdaForms (185 in coroutine
     * mode, 112 in detect mode, against 78 and 22 now, Temurin 25.0.3): the bound catches a return to them, and a
     * new use of method handles on the install path.
     */
    private static void assertNoSpunClassesOfCoio(Set<String> loaded, int maxLambdaForms) {
        List<String> coioLambdas = loaded.stream().filter(c -> c.startsWith("io.coio.") && !c.startsWith("io.coio.shaded.") // Netty's are Netty's
                && c.contains("$$Lambda")).toList();
        assertEquals(List.of(), coioLambdas, "coio's own lambdas spun at start-up");
        long lambdaForms = loaded.stream().filter(c -> c.startsWith("java.lang.invoke.LambdaForm$")).count();
        assertTrue(lambdaForms <= maxLambdaForms, lambdaForms + " LambdaForm classes spun at start-up (at most "
                + maxLambdaForms + " expected)");
    }

    @Test
    @DisplayName("the app asks for the platform MBean server after start-up: coio's three MBeans (2 carriers) are in it")
    void mbeansAppearWhenTheServerIsMade() throws Exception {
        AgentJvm app = AgentJvm.builder(StartupWorkApp.class).agent("carriers=2").args("jmx").start();
        try (app) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app.describeState());
        }
        assertEquals(List.of("SAME=true"), app.stdoutMatching("^SAME="), app.describeState());
        assertEquals(List.of("COIO_MBEANS=3"), app.stdoutMatching("^COIO_MBEANS="), app.describeState());
    }

    /** Runs the app under the agent with class-load logging; returns the names of the classes it loaded. */
    private static Set<String> run(Path dir, String agentOptions) throws Exception {
        Path log = dir.resolve("classes.txt");
        AgentJvm app = AgentJvm.builder(StartupWorkApp.class).agent(agentOptions)
                .jvmArg("-Xlog:class+load=info:file=" + log).start();
        try (app) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app.describeState());
        }
        assertEquals(List.of("SAME=true"), app.stdoutMatching("^SAME="), app.describeState());
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(log)) {
            int end = line.indexOf(" source:");
            int start = line.lastIndexOf(' ', end - 1);
            if (end > 0 && start >= 0) {
                names.add(line.substring(start + 1, end));
            }
        }
        assertTrue(names.size() > 500, "class-load log looks empty: " + names.size() + " classes");
        return names;
    }
}
