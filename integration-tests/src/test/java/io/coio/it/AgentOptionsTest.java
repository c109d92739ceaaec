package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.HelloApp;
import io.coio.it.harness.AgentJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the agent says at startup and how it handles its options, a bad option, or a too-old JDK. */
@Timeout(120)
class AgentOptionsTest {
    static final Pattern STATS = Pattern.compile(
            "^coio stats: carrier=(\\d+) started=(\\d+) live=(\\d+) parks=(\\d+) wakeups=(\\d+) epollWaits=(\\d+) pinnedFallbacks=(\\d+)"
                    + " pinnedWaitHandOffs=(\\d+) fileHandOffs=(\\d+) dnsHandOffs=(\\d+) blockerHandOffs=(\\d+)"
                    + " watchdogHandOffs=(\\d+) busyHandOffs=(\\d+) extraLoopThreads=(\\d+) longRuns=(\\d+)"
                    + " registrations=(\\d+) rearms=(\\d+) skippedSyscalls=(\\d+)"
                    + " stolen=(\\d+) heapSocketIo=(\\d+) wokenToSteal=(\\d+)$");

    /** Runs HelloApp to its end (it exits with code 3) and returns the finished JVM for inspection. */
    private static AgentJvm runHello(AgentJvm.Builder b) {
        AgentJvm app = b.args("a", "b").start();
        try (app) {
            app.awaitStdout("^hello a b$");
            assertEquals(3, app.awaitExit(Duration.ofSeconds(30)), "the app's own exit code" + app.describeState());
        }
        return app;
    }

    private static List<String> coioLines(AgentJvm app) {
        return app.stderrMatching("(?i)coio");
    }

    @Test
    @DisplayName("coroutine mode prints exactly one startup line 'coio: coroutine mode, ...' and sets coio.mode/coio.carriers; the app's exit code is kept")
    void startupLineAndProperties() {
        AgentJvm app = runHello(AgentJvm.builder(HelloApp.class).agent("carriers=2"));
        List<String> lines = coioLines(app);
        assertEquals(1, lines.size(), "coio lines on stderr" + app.describeState());
        assertTrue(lines.get(0).startsWith("coio: coroutine mode, "), "startup line: " + lines.get(0));
        assertEquals(1, app.stdoutMatching("^worker virtual=true$").size(), "the app's thread is converted" + app.describeState());
        assertEquals(1, app.stdoutMatching("^coio\\.mode=coroutine coio\\.carriers=2 ").size(), app.describeState());
    }

    @Test
    @DisplayName("without carriers=, the agent uses one carrier per CPU")
    void defaultCarrierCountIsCpuCount() {
        AgentJvm app = runHello(AgentJvm.builder(HelloApp.class).agent(""));
        Matcher m = Pattern.compile("^coio\\.mode=coroutine coio\\.carriers=(\\d+) cpus=(\\d+)$")
                .matcher(app.stdoutMatching("^coio\\.mode=").stream().findFirst().orElse(""));
        assertTrue(m.matches(), "properties line" + app.describeState());
        assertEquals(m.group(2), m.group(1), "default carrier count vs availableProcessors()");
    }

    @Test
    @DisplayName("quiet=true: no startup line, the app is still converted")
    void quiet() {
        AgentJvm app = runHello(AgentJvm.builder(HelloApp.class).agent("quiet=true,carriers=1"));
        assertEquals(List.of(), coioLines(app), "quiet=true must print nothing" + app.describeState());
        assertEquals(1, app.stdoutMatching("^worker virtual=true$").size(), app.describeState());
    }

    @Test
    @DisplayName("stats=true with carriers=2: at exit one 'coio stats: carrier=<i> ...' line per carrier, counters well-formed")
    void statsAtExit() {
        AgentJvm app = runHello(AgentJvm.builder(HelloApp.class).agent("carriers=2,stats=true"));
        List<String> stats = app.stderrMatching("^coio stats: ");
        assertEquals(2, stats.size(), "one stats line per carrier" + app.describeState());
        Set<String> carriers = new LinkedHashSet<>();
        long started = 0;
        for (String s : stats) {
            Matcher m = STATS.matcher(s);
            assertTrue(m.matches(), "stats line format: " + s);
            carriers.add(m.group(1));
            started += Long.parseLong(m.group(2));
        }
        assertEquals(Set.of("0", "1"), carriers, "carrier indexes");
        assertTrue(started >= 1, "the app's one thread was started as a coroutine: " + stats);
    }

    @ParameterizedTest(name = "bad option ''{0}'': one clear line ending 'The app runs without coio.', app runs untouched")
    @ValueSource(strings = {"carriers=0", "carriers=abc", "mode=fast", "bogus=1"})
    void badOption(String token) {
        AgentJvm app = runHello(AgentJvm.builder(HelloApp.class).agent(token));
        List<String> lines = coioLines(app);
        assertEquals(1, lines.size(), "exactly one coio line on stderr" + app.describeState());
        String line = lines.get(0);
        assertTrue(line.startsWith("coio: bad agent option '" + token + "'"), "names the option: " + line);
        assertTrue(line.endsWith("The app runs without coio."), "says the app runs untouched: " + line);
        assertTrue(line.length() > ("coio: bad agent option '" + token + "' The app runs without coio.").length() + 10,
                "says what is wrong and how to fix it: " + line);
        assertEquals(1, app.stdoutMatching("^worker virtual=false$").size(), "app untouched" + app.describeState());
        assertEquals(0, app.stdoutMatching("^coio\\.mode=coroutine").size(), "not in coroutine mode" + app.describeState());
    }

    @Test
    @DisplayName("coroutine mode on a JDK older than 25: one line naming the Java version, 25 and the fix, the app runs untouched with its own exit code")
    void oldJdk(@TempDir Path classes) throws IOException {
        Optional<Path> oldJava = findJdkOlderThan25();
        Assumptions.assumeTrue(oldJava.isPresent(), "no JDK older than 25 under /usr/lib/jvm");
        int feature = featureVersion(oldJava.get().getParent().getParent()).orElseThrow();
        compileOldHello(classes);
        AgentJvm b = AgentJvm.builder("OldJdkHello").java(oldJava.get()).agent("").classpath(classes.toString())
                .args("a", "b").start();
        try (b) {
            b.awaitStdout("^hello a b on " + feature + "$");
            assertEquals(3, b.awaitExit(Duration.ofSeconds(30)), "the app's own exit code" + b.describeState());
        }
        List<String> lines = coioLines(b);
        assertEquals(1, lines.size(), "exactly one coio line on stderr" + b.describeState());
        String line = lines.get(0);
        assertTrue(line.startsWith("coio: this JVM is Java " + feature + " (") && line.endsWith("); coio's coroutine mode"
                + " needs Java 25 or newer. Fix: run the app with a JDK >= 25, or use mode=detect. The app runs without"
                + " coio."), "must say it runs on Java " + feature + ", that coroutine mode needs 25, and the fix: " + line);
        assertEquals(1, b.stdoutMatching("^worker ran$").size(), b.describeState());
    }

    /** Compiles a tiny app for Java 8 bytecode so that any old JDK can run it. */
    private static void compileOldHello(Path dir) throws IOException {
        Path src = dir.resolve("OldJdkHello.java");
        Files.writeString(src, """
                public class OldJdkHello {
                    public static void main(String[] args) throws Exception {
                        System.out.println("hello " + String.join(" ", args) + " on "
                                + System.getProperty("java.specification.version").replaceFirst("^1\\\\.", ""));
                        Thread t = new Thread(() -> System.out.println("worker ran"));
                        t.start();
                        t.join();
                        System.exit(3);
                    }
                }
                """, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "8", "-Xlint:-options", "-d", dir.toString(), src.toString());
        assertEquals(0, rc, "compiling OldJdkHello");
    }

    /** A java launcher of a JDK < 25 under /usr/lib/jvm (the default java 17 on the CI machines). */
    static Optional<Path> findJdkOlderThan25() throws IOException {
        Path jvms = Paths.get("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        List<Path> homes = new ArrayList<>();
        try (Stream<Path> s = Files.list(jvms)) {
            s.sorted().forEach(homes::add);
        }
        for (Path home : homes) {
            Path java = home.resolve("bin/java");
            Optional<Integer> v = featureVersion(home);
            if (Files.isExecutable(java) && v.isPresent() && v.get() < 25) {
                return Optional.of(java);
            }
        }
        return Optional.empty();
    }

    /** The feature version from a JDK's {@code release} file (JAVA_VERSION="17.0.15" gives 17). */
    static Optional<Integer> featureVersion(Path home) {
        try {
            for (String l : Files.readAllLines(home.resolve("release"))) {
                Matcher m = Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(l);
                if (m.find()) {
                    return Optional.of(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
