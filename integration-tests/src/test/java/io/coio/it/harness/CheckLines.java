package io.coio.it.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code CHECK <name> <observed>} lines a contract app prints (one per property, then {@code DONE}), and the
 * comparison with what the JDK answers: how the Thread-contract tests state "same output with and without the
 * agent". Any thread; stateless.
 */
public final class CheckLines {
    private CheckLines() {
    }

    /** Runs the app to its end (exit code 0) and returns its checks, name -> observed, in print order. */
    public static Map<String, String> run(AgentJvm.Builder builder) {
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

    /**
     * As {@link #assertMatch(Map, Map, String)}, with the app's {@code CHECK kind} line (what the JVM runs its threads
     * on: the one answer that differs with and without the agent) expected to be {@code kind}.
     */
    public static void assertMatch(Map<String, String> expected, String kind, Map<String, String> seen, String what) {
        Map<String, String> all = new LinkedHashMap<>(expected);
        all.put("kind", kind);
        assertMatch(all, seen, what);
    }

    /** Fails naming every check whose observed value is not the expected one. */
    public static void assertMatch(Map<String, String> expected, Map<String, String> seen, String what) {
        StringBuilder wrong = new StringBuilder();
        expected.forEach((k, v) -> {
            if (!v.equals(seen.get(k))) {
                wrong.append("\n  ").append(k).append(": expected '").append(v).append("', was '").append(seen.get(k))
                        .append("'");
            }
        });
        assertTrue(wrong.isEmpty(), what + ":" + wrong);
    }
}
