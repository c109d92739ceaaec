package io.coio.it.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.detect.apps.NestedJUnitMain;
import io.coio.it.harness.AgentJvm;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JUnit 5 extension as a user's build runs it: test classes compiled against coio-detect-api and coio-junit
 * (the published test-scoped dependencies), run with them on the class path by the JUnit Platform in a forked JVM
 * with the agent on the command line (as Surefire's {@code argLine} does). A test during which a blocking call was reported fails with the report as
 * its message; without the agent the extension checks nothing and says so, or fails when detection is required.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JUnitExtensionTest {
    static final Duration EXIT = Duration.ofSeconds(90);

    static final String SUBJECT = """
            package detectsubject;

            import io.coio.agent.detect.CoioDetect;
            import io.coio.junit.CoioDetectExtension;
            import org.junit.jupiter.api.Test;
            import org.junit.jupiter.api.extension.ExtendWith;

            @ExtendWith(CoioDetectExtension.class)
            class SubjectTest {
                @Test void sleepOnEventLoop() throws Exception { onThread("evloop-1", SubjectTest::sleepOnce); }
                @Test void sameCallSiteAgain() throws Exception { onThread("evloop-1", SubjectTest::sleepOnce); }
                @Test void sleepOnWorker() throws Exception { onThread("worker-1", SubjectTest::sleepOnce); }
                @Test void allowedPlace() throws Exception {
                    CoioDetect.allowBlockingCallsInside(SubjectTest.class.getName(), "allowedSleep");
                    onThread("evloop-2", SubjectTest::allowedSleep);
                }
                @Test void markedThread() throws Exception {
                    Thread t = new Thread(SubjectTest::sleepOnce, "plain-1");
                    CoioDetect.markNonBlocking(t);
                    t.start();
                    t.join();
                }
                @Test void noBlocking() { }

                static void allowedSleep() { sleepOnce(); }
                static void sleepOnce() {
                    try { Thread.sleep(1); } catch (InterruptedException e) { throw new IllegalStateException(e); }
                }
                static void onThread(String name, Runnable r) throws InterruptedException {
                    Thread t = new Thread(r, name);
                    t.start();
                    t.join();
                }
            }
            """;

    static final String CLASS_LEVEL = """
            package detectsubject;

            import io.coio.junit.CoioDetectExtension;
            import org.junit.jupiter.api.BeforeAll;
            import org.junit.jupiter.api.Test;
            import org.junit.jupiter.api.extension.ExtendWith;

            @ExtendWith(CoioDetectExtension.class)
            class ClassLevelSubjectTest {
                @BeforeAll static void setUp() throws Exception { SubjectTest.onThread("evloop-9", SubjectTest::sleepOnce); }
                @Test void fine() { }
            }
            """;

    /** No annotation: checked only when JUnit's extension autodetection finds coio-junit's service registration. */
    static final String AUTO = """
            package detectsubject;

            import org.junit.jupiter.api.Test;

            class AutoSubjectTest {
                @Test void sleepOnEventLoop() throws Exception { SubjectTest.onThread("evloop-3", SubjectTest::sleepOnce); }
            }
            """;

    Path classes;
    List<String> junitJars;

    @BeforeAll
    void compileSubjects(@TempDir Path dir) throws IOException {
        junitJars = List.of(org.junit.jupiter.api.Test.class, org.junit.jupiter.engine.JupiterTestEngine.class,
                        org.junit.platform.engine.TestEngine.class, org.junit.platform.commons.util.ReflectionUtils.class,
                        org.junit.platform.launcher.core.LauncherFactory.class, org.opentest4j.AssertionFailedError.class,
                        org.apiguardian.api.API.class)
                .stream().map(AgentJvm::classpathEntryOf).distinct().toList();
        Path src = Files.createDirectories(dir.resolve("src/detectsubject"));
        classes = Files.createDirectories(dir.resolve("classes"));
        List<String> options = List.of("-d", classes.toString(), "-proc:none", "-cp",
                AgentJvm.detectApiJar() + java.io.File.pathSeparator + AgentJvm.junitJar()
                + java.io.File.pathSeparator + String.join(java.io.File.pathSeparator, junitJars));
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("SubjectTest", SUBJECT);
        sources.put("ClassLevelSubjectTest", CLASS_LEVEL);
        sources.put("AutoSubjectTest", AUTO);
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path f = src.resolve(s.getKey() + ".java");
            Files.writeString(f, s.getValue());
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        boolean ok = javac.getTask(log, null, null, options, null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromStrings(files)).call();
        int rc = ok ? 0 : 1;
        assertEquals(0, rc, "compiling the subject tests: " + log);
    }

    private AgentJvm.Builder nested(String... testClasses) {
        AgentJvm.Builder b = AgentJvm.builder(NestedJUnitMain.class).addClasspath(classes.toString())
                .addClasspath(AgentJvm.detectApiJar().toString()).addClasspath(AgentJvm.junitJar().toString());
        junitJars.forEach(b::addClasspath);
        for (String c : testClasses) {
            b.args("detectsubject." + c);
        }
        return b;
    }

    private static Map<String, String> results(AgentJvm run) {
        Map<String, String> r = new LinkedHashMap<>();
        for (String line : run.stdoutMatching("^RESULT ")) {
            String[] p = line.split(" ");
            r.put(p[1], p[2]);
        }
        return r;
    }

    private static String message(AgentJvm run, String test) {
        return run.stdoutMatching("^MESSAGE " + test.replace("#", "\\#") + " ").stream()
                .map(l -> l.substring(("MESSAGE " + test + " ").length())).collect(Collectors.joining("\n"));
    }

    private static AgentJvm finish(AgentJvm.Builder b) {
        AgentJvm run = b.start();
        try (run) {
            assertEquals(0, run.awaitExit(EXIT), run.describeState());
        }
        assertEquals(1, run.stdoutMatching("^NESTED FINISHED$").size(), run.describeState());
        return run;
    }

    @Test
    @DisplayName("under mode=detect: a test whose evloop thread slept fails with the report as its message (also a second test at the same, already reported call site); tests without reported calls pass")
    void failsTestsThatBlockedANonBlockingThread() {
        AgentJvm run = finish(nested("SubjectTest", "ClassLevelSubjectTest", "AutoSubjectTest")
                .agent("mode=detect,nonblocking=evloop-.*")
                .jvmArg("-Djunit.jupiter.extensions.autodetection.enabled=true"));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("SubjectTest#sleepOnEventLoop", "FAILED");
        expected.put("SubjectTest#sameCallSiteAgain", "FAILED");
        expected.put("SubjectTest#sleepOnWorker", "SUCCESSFUL");
        expected.put("SubjectTest#allowedPlace", "SUCCESSFUL");
        expected.put("SubjectTest#markedThread", "FAILED");
        expected.put("SubjectTest#noBlocking", "SUCCESSFUL");
        expected.put("SubjectTest", "SUCCESSFUL");
        expected.put("ClassLevelSubjectTest#fine", "SUCCESSFUL");
        expected.put("ClassLevelSubjectTest", "FAILED");
        expected.put("AutoSubjectTest#sleepOnEventLoop", "FAILED");
        expected.put("AutoSubjectTest", "SUCCESSFUL");
        Map<String, String> actual = results(run);
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual), run.describeState());

        for (String test : List.of("SubjectTest#sleepOnEventLoop", "SubjectTest#sameCallSiteAgain")) {
            String m = message(run, test);
            assertTrue(m.startsWith("java.lang.AssertionError: coio detect: 1 blocking call on non-blocking threads during this test:"), m);
            assertTrue(m.contains("\ncoio: blocking call java.lang.Thread.sleep on thread evloop-1\n"), m);
            assertTrue(m.contains("\tat detectsubject.SubjectTest.sleepOnce(SubjectTest.java:"), m);
        }
        assertTrue(message(run, "SubjectTest#markedThread").contains("coio: blocking call java.lang.Thread.sleep on thread plain-1"),
                run.describeState());
        assertTrue(message(run, "ClassLevelSubjectTest").contains(" outside its tests ")
                && message(run, "ClassLevelSubjectTest").contains("on thread evloop-9"), run.describeState());
        assertTrue(message(run, "AutoSubjectTest#sleepOnEventLoop").contains("on thread evloop-3"), run.describeState());
        // stderr deduplicates by call site: the sleepOnce site is printed once, whichever thread came first
        assertEquals(1, run.stderrMatching("^coio: blocking call java\\.lang\\.Thread\\.sleep on thread ").size(),
                run.describeState());
    }

    @Test
    @DisplayName("without the agent: the extension checks nothing, says so once on stderr, and every test passes")
    void withoutTheAgentItSaysDetectionIsNotActive() {
        AgentJvm run = finish(nested("SubjectTest", "AutoSubjectTest").noAgent());
        assertTrue(results(run).values().stream().allMatch("SUCCESSFUL"::equals), run.describeState());
        assertEquals(9, results(run).size(), "6 tests and SubjectTest, 1 test and AutoSubjectTest" + run.describeState());
        List<String> said = run.stderrMatching("^coio: ");
        assertEquals(1, said.size(), run.describeState());
        assertTrue(said.get(0).startsWith("coio: CoioDetectExtension: blocking calls are not checked: the coio agent is"
                + " not loaded in this JVM"), said.get(0));
    }

    @Test
    @DisplayName("without the agent but with coio.detect.required=true: the test class fails, naming what is missing")
    void requiredButNotActiveFails() {
        AgentJvm run = finish(nested("SubjectTest").noAgent()
                .jvmArg("-Dcoio.detect.required=true"));
        assertEquals("FAILED", results(run).get("SubjectTest"), run.describeState());
        String m = message(run, "SubjectTest");
        assertTrue(m.contains("coio: blocking-call detection is required (coio.detect.required=true) but not active: "
                + "the coio agent is not loaded in this JVM"), m);
    }
}
