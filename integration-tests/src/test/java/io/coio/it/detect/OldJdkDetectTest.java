package io.coio.it.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.detect.DetectReports.Report;
import io.coio.it.detect.apps.BlockingCallsApp;
import io.coio.it.detect.apps.NestedJUnitMain;
import io.coio.it.harness.AgentJvm;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java 17 (the machine's default {@code java}): detect mode works there — its classes are compiled for 17 and its
 * table of watched methods is JDK 17's — and says at start-up which calls it cannot watch (the native
 * {@code Thread.sleep(long)} and {@code Object.wait(long)}); coroutine mode is refused in one line and the app runs
 * untouched. The apps (the same {@link BlockingCallsApp} as {@link DetectModeTest}'s, a JUnit run) are compiled here
 * for release 17 and run on JDK 17 with the agent jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OldJdkDetectTest {
    static final Path JAVA_17 = Paths.get("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
    static final Duration EXIT = Duration.ofSeconds(90);
    static final String APP = BlockingCallsApp.class.getName();
    static final Path TEST_SOURCES = Paths.get("src/test/java");

    /** The extra ways to sleep and wait, and what Java 17 reports for each. */
    static final Map<String, List<String>> EXTRA_ON_17 = new LinkedHashMap<>();

    static {
        EXTRA_ON_17.put("sleepWithNanos", List.of("java.lang.Thread.sleep"));
        EXTRA_ON_17.put("timeUnitSleep", List.of("java.lang.Thread.sleep"));
        EXTRA_ON_17.put("objectWaitNoTimeout", List.of("java.lang.Object.wait"));
        EXTRA_ON_17.put("threadJoin", List.of("java.lang.Thread.join"));
    }

    static final String SUBJECT = """
            package detectsubject;

            import io.coio.junit.CoioDetectExtension;
            import java.util.concurrent.TimeUnit;
            import org.junit.jupiter.api.Test;
            import org.junit.jupiter.api.extension.ExtendWith;

            @ExtendWith(CoioDetectExtension.class)
            class Java17SubjectTest {
                @Test void sleepOnEventLoop() throws Exception { onThread("evloop-1"); }
                @Test void sleepOnWorker() throws Exception { onThread("worker-1"); }

                static void onThread(String name) throws InterruptedException {
                    Thread t = new Thread(() -> {
                        try { TimeUnit.MILLISECONDS.sleep(1); } catch (InterruptedException e) { throw new IllegalStateException(e); }
                    }, name);
                    t.start();
                    t.join();
                }
            }
            """;

    Path classes;
    List<String> junitJars;

    @BeforeAll
    void compileForJava17(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(JAVA_17), "no Java 17 at " + JAVA_17);
        junitJars = List.of(org.junit.jupiter.api.Test.class, org.junit.jupiter.engine.JupiterTestEngine.class,
                        org.junit.platform.engine.TestEngine.class, org.junit.platform.commons.util.ReflectionUtils.class,
                        org.junit.platform.launcher.core.LauncherFactory.class, org.opentest4j.AssertionFailedError.class,
                        org.apiguardian.api.API.class)
                .stream().map(AgentJvm::classpathEntryOf).distinct().toList();
        Path subject = Files.createDirectories(dir.resolve("src/detectsubject")).resolve("Java17SubjectTest.java");
        Files.writeString(subject, SUBJECT);
        classes = Files.createDirectories(dir.resolve("classes"));
        List<String> files = List.of(subject.toString(), source(BlockingCallsApp.class), source(NestedJUnitMain.class));
        List<String> options = List.of("--release", "17", "-proc:none", "-d", classes.toString(), "-cp",
                AgentJvm.detectApiJar() + File.pathSeparator + AgentJvm.junitJar() + File.pathSeparator
                        + String.join(File.pathSeparator, junitJars));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        boolean ok = javac.getTask(log, null, null, options, null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromStrings(files)).call();
        assertTrue(ok, "compiling for Java 17: " + log);
    }

    private static String source(Class<?> c) {
        Path p = TEST_SOURCES.resolve(c.getName().replace('.', '/') + ".java");
        assertTrue(Files.isRegularFile(p), "test source " + p.toAbsolutePath());
        return p.toString();
    }

    /** Runs {@code b} on Java 17 with the classes compiled for 17 (and {@code more} on the class path). */
    private AgentJvm run(AgentJvm.Builder b, String... more) {
        b.java(JAVA_17).classpath(classes.toString(), AgentJvm.detectApiJar().toString(), AgentJvm.junitJar().toString());
        for (String entry : more) {
            b.addClasspath(entry);
        }
        AgentJvm app = b.start();
        try (app) {
            assertEquals(0, app.awaitExit(EXIT), "exit code" + app.describeState());
        }
        return app;
    }

    @Test
    @DisplayName("Java 17, mode=detect: start-up line, one line per call it cannot watch (Thread.sleep(long), Object.wait(long)); every other covered call on evloop-1 is reported with its stack, nothing on worker-1")
    void detectModeWorksOnJava17() {
        List<String> extra = new ArrayList<>(EXTRA_ON_17.keySet());
        AgentJvm app = run(AgentJvm.builder(APP).agent("mode=detect,nonblocking=evloop-.*")
                .args("evloop-1=all," + String.join(",", extra), "worker-1=all," + String.join(",", extra)));
        List<String> startup = app.stderrMatching("^coio: detect mode");
        assertEquals(3, startup.size(), app.describeState());
        assertTrue(startup.get(0).startsWith("coio: detect mode, non-blocking threads: names matching 'evloop-.*'")
                && startup.get(0).contains(", Java 17."), startup.get(0));
        assertEquals("coio: detect mode: on Java 17, direct calls of Thread.sleep(long) are not reported: it is a native"
                + " method, and a running JVM cannot give a native method a prologue (Thread.sleep(long, int) and"
                + " TimeUnit.sleep are reported).", startup.get(1));
        assertEquals("coio: detect mode: on Java 17, direct calls of Object.wait(long) are not reported: it is a native"
                + " method, and a running JVM cannot give a native method a prologue (Object.wait(), Object.wait(long,"
                + " int) and Thread.join are reported).", startup.get(2));
        assertEquals(List.of(), app.stderrMatching("^coio: cannot watch "), app.describeState());
        assertEquals(List.of(), app.stdoutMatching("^THROWN "), app.describeState());
        assertEquals(1, app.stdoutMatching("^FINISHED$").size(), app.describeState());

        // Java 25's expectations, minus the scenarios that call Thread.sleep(long) or Object.wait(long) directly.
        Map<String, List<String>> expected = new LinkedHashMap<>(DetectModeTest.EXPECTED);
        for (String direct : List.of("sleep", "objectWait", "repeat", "notAllowed")) {
            expected.put(direct, List.of());
        }
        expected.putAll(EXTRA_ON_17);
        Map<String, List<String>> actual = new LinkedHashMap<>();
        expected.keySet().forEach(k -> actual.put(k, new ArrayList<>()));
        List<Report> reports = DetectReports.parse(app.stderrLines());
        for (Report r : reports) {
            assertEquals("evloop-1", r.thread(), "reported on another thread: " + r);
            String scenario = r.firstMethodOf(APP);
            assertNotNull(scenario, "report without a scenario frame: " + r);
            actual.computeIfAbsent(scenario, k -> new ArrayList<>()).add(r.method());
        }
        assertEquals(new TreeMap<>(expected), new TreeMap<>(actual), "reports on evloop-1 by scenario" + app.describeState());

        Report read = reports.stream().filter(r -> r.method().equals("java.net.Socket.getInputStream().read"))
                .findFirst().orElseThrow();
        assertTrue(read.frames().get(0).startsWith("java.base/sun.nio.ch.NioSocketImpl.read("), read.toString());
        assertNotNull(read.frameContaining(APP + ".socket(BlockingCallsApp.java:"), read.toString());
        assertTrue(read.frames().get(read.frames().size() - 1).startsWith("java.base/java.lang.Thread.run("), read.toString());
    }

    @Test
    @DisplayName("Java 17, mode=detect: the JUnit extension fails the test whose evloop thread slept, with the report as its message; the worker's test passes")
    void junitExtensionOnJava17() {
        AgentJvm run = run(AgentJvm.builder(NestedJUnitMain.class).agent("mode=detect,nonblocking=evloop-.*")
                .args("detectsubject.Java17SubjectTest"), junitJars.toArray(new String[0]));
        assertEquals(1, run.stdoutMatching("^NESTED FINISHED$").size(), run.describeState());
        assertEquals(List.of("RESULT Java17SubjectTest SUCCESSFUL", "RESULT Java17SubjectTest#sleepOnEventLoop FAILED",
                "RESULT Java17SubjectTest#sleepOnWorker SUCCESSFUL"), run.stdoutMatching("^RESULT ").stream().sorted()
                .toList(), run.describeState());
        List<String> message = run.stdoutMatching("^MESSAGE Java17SubjectTest#sleepOnEventLoop ");
        assertTrue(message.get(0).endsWith("java.lang.AssertionError: coio detect: 1 blocking call on non-blocking"
                + " threads during this test:"), run.describeState());
        assertTrue(message.contains("MESSAGE Java17SubjectTest#sleepOnEventLoop coio: blocking call java.lang.Thread.sleep"
                + " on thread evloop-1"), run.describeState());
    }

    @Test
    @DisplayName("Java 17, coroutine mode (the default): one line naming Java 17, 25 and the fix; the app runs untouched")
    void coroutineModeIsRefusedOnJava17() {
        AgentJvm app = run(AgentJvm.builder(APP).agent("carriers=2").args("worker-1=sleep,socket"));
        List<String> lines = app.stderrMatching("coio");
        assertEquals(1, lines.size(), app.describeState());
        assertTrue(lines.get(0).startsWith("coio: this JVM is Java 17 (") && lines.get(0).endsWith("); coio's coroutine"
                + " mode needs Java 25 or newer. Fix: run the app with a JDK >= 25, or use mode=detect. The app runs"
                + " without coio."), lines.get(0));
        assertEquals(List.of("DONE sleep worker-1", "DONE socket worker-1", "FINISHED"), app.stdoutLines(),
                app.describeState());
    }
}
