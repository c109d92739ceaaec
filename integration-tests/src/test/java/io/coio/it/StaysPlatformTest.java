package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.StaysPlatformApp;
import io.coio.it.harness.AgentJvm;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads that must stay what they are: Netty FastThreadLocalThreads (they run their own event loops),
 * threads excluded by name or class, threads outside {@code include=}, and threads that are already
 * virtual.
 */
@Timeout(120)
class StaysPlatformTest {
    static final String COIO = "virtual=true coio=true";
    static final String PLATFORM = "virtual=false coio=false";
    static final String JDK_VIRTUAL = "virtual=true coio=false";

    private static Map<String, String> run(String options) {
        AgentJvm.Builder b = AgentJvm.builder(StaysPlatformApp.class).agent(options)
                .addClasspath(AgentJvm.classpathEntryOf(FastThreadLocalThread.class));
        try (AgentJvm app = b.start()) {
            app.awaitStdout("^DONE$");
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
            Map<String, String> seen = new LinkedHashMap<>();
            for (String l : app.stdoutMatching("^CHECK ")) {
                String[] p = l.split(" ", 3);
                seen.put(p[1], p[2]);
            }
            return seen;
        }
    }

    private static void assertKinds(Map<String, String> expected, Map<String, String> seen, String options) {
        StringBuilder wrong = new StringBuilder();
        expected.forEach((k, v) -> {
            if (!v.equals(seen.get(k))) {
                wrong.append("\n  ").append(k).append(": expected '").append(v).append("', was '").append(seen.get(k)).append("'");
            }
        });
        assertTrue(wrong.isEmpty(), "with agent options '" + options + "':" + wrong);
    }

    @Test
    @DisplayName("exclude=worker-.*: threads named worker-* stay platform; Netty FastThreadLocalThreads stay platform; already-virtual threads stay on the JDK scheduler; the rest are coroutines")
    void excludeByNameAndBuiltInExceptions() {
        String options = "carriers=1,exclude=worker-.*";
        Map<String, String> want = new LinkedHashMap<>();
        want.put("plain", COIO);
        want.put("named.worker-1", PLATFORM);
        want.put("named.other-1", COIO);
        want.put("named.conn-1", COIO);
        want.put("fastThreadLocalThread", PLATFORM);
        want.put("nettyDefaultThreadFactory", PLATFORM);
        want.put("subclass.LegacyPollerThread", COIO);
        want.put("alreadyVirtual", JDK_VIRTUAL);
        assertKinds(want, run(options), options);
    }

    @Test
    @DisplayName("exclude=.*LegacyPollerThread: an app Thread subclass excluded by class name stays platform; others are coroutines")
    void excludeByClassName() {
        String options = "carriers=1,exclude=.*LegacyPollerThread";
        Map<String, String> want = new LinkedHashMap<>();
        want.put("plain", COIO);
        want.put("named.worker-1", COIO);
        want.put("subclass.LegacyPollerThread", PLATFORM);
        want.put("fastThreadLocalThread", PLATFORM);
        assertKinds(want, run(options), options);
    }

    @Test
    @DisplayName("include=conn-.*: only threads whose name matches become coroutines")
    void includeByName() {
        String options = "carriers=1,include=conn-.*";
        Map<String, String> want = new LinkedHashMap<>();
        want.put("plain", PLATFORM);
        want.put("named.worker-1", PLATFORM);
        want.put("named.other-1", PLATFORM);
        want.put("named.conn-1", COIO);
        want.put("fastThreadLocalThread", PLATFORM);
        want.put("alreadyVirtual", JDK_VIRTUAL);
        assertKinds(want, run(options), options);
    }
}
