package io.coio.it.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.detect.DetectReports.Report;
import io.coio.it.detect.apps.BlockingCallsApp;
import io.coio.it.detect.apps.DetectJfrApp;
import io.coio.it.harness.AgentJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code mode=detect}: every covered blocking call made on a non-blocking thread is reported once per call
 * site, with its stack; the same calls on an ordinary thread are not; the app runs as without the agent. One
 * app JVM (run with the bytecode verifier on for every class, the rewritten JDK classes included) for the
 * class, plus one JVM each for fail-fast, JFR and option errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DetectModeTest {
    static final String APP = BlockingCallsApp.class.getName();
    static final Duration EXIT = Duration.ofSeconds(90);
    static final String SUPPORT = "java.util.concurrent.locks.LockSupport.";

    /** Scenario -> the methods its reports name, in order (an empty list: nothing may be reported). */
    static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("sleep", List.of("java.lang.Thread.sleep"));
        EXPECTED.put("objectWait", List.of("java.lang.Object.wait"));
        EXPECTED.put("parkNanos", List.of(SUPPORT + "parkNanos"));
        EXPECTED.put("lockContended", List.of(SUPPORT + "park"));
        EXPECTED.put("queueTake", List.of(SUPPORT + "park"));
        EXPECTED.put("futureGet", List.of(SUPPORT + "park"));
        EXPECTED.put("socket", List.of("java.net.Socket.connect", "java.net.Socket.getOutputStream().write",
                "java.net.Socket.getInputStream().read"));
        EXPECTED.put("serverSocketAccept", List.of("java.net.ServerSocket.accept"));
        EXPECTED.put("channel", List.of("java.nio.channels.SocketChannel.connect", "java.nio.channels.SocketChannel.write",
                "java.nio.channels.SocketChannel.read"));
        EXPECTED.put("serverChannelAccept", List.of("java.nio.channels.ServerSocketChannel.accept"));
        EXPECTED.put("nonBlockingChannel", List.of());
        EXPECTED.put("selector", List.of("java.nio.channels.Selector.select"));
        EXPECTED.put("datagram", List.of("java.net.DatagramSocket.send", "java.net.DatagramSocket.receive"));
        EXPECTED.put("pipe", List.of("java.nio.channels.Pipe.SinkChannel.write", "java.nio.channels.Pipe.SourceChannel.read"));
        EXPECTED.put("fileInputStream", List.of("java.io.FileInputStream.read"));
        EXPECTED.put("fileOutputStream", List.of("java.io.FileOutputStream.write"));
        EXPECTED.put("randomAccessFile", List.of("java.io.RandomAccessFile.write", "java.io.RandomAccessFile.read"));
        EXPECTED.put("fileChannel", List.of("java.nio.channels.FileChannel.write", "java.nio.channels.FileChannel.read"));
        EXPECTED.put("filesReadAllBytes", List.of("java.nio.channels.FileChannel.read"));
        EXPECTED.put("dns", List.of("java.net.InetAddress.getAllByName"));
        EXPECTED.put("processWaitFor", List.of("java.lang.Process.waitFor"));
        EXPECTED.put("console", List.of());
        EXPECTED.put("repeat", List.of("java.lang.Thread.sleep", "java.lang.Thread.sleep"));
        EXPECTED.put("allowedByOption", List.of());
        EXPECTED.put("allowedByApi", List.of());
        EXPECTED.put("notAllowed", List.of("java.lang.Thread.sleep"));
    }

    AgentJvm app;
    List<Report> reports;

    @BeforeAll
    void runAllScenarios() {
        AgentJvm run = AgentJvm.builder(APP).addClasspath(AgentJvm.detectApiJar().toString())
                .agent("mode=detect,nonblocking=evloop-.*,allow=" + APP + "#allowedByOption")
                .jvmArg("-XX:+UnlockDiagnosticVMOptions")
                .jvmArg("-XX:+BytecodeVerificationLocal")
                .jvmArg("-XX:+BytecodeVerificationRemote")
                .args("evloop-1=all", "worker-1=all", "plain-1=marked")
                .start();
        app = run;
        try (run) {
            assertEquals(0, run.awaitExit(EXIT), "exit code" + run.describeState());
        }
        reports = DetectReports.parse(run.stderrLines());
    }

    @Test
    @DisplayName("one startup line 'coio: detect mode, non-blocking threads: ...'; every scenario completes on both threads, the app exits 0")
    void startupLineAndTheAppRunsToCompletion() {
        List<String> startup = app.stderrMatching("^coio: detect mode, ");
        assertEquals(1, startup.size(), app.describeState());
        assertTrue(startup.get(0).startsWith("coio: detect mode, non-blocking threads: names matching 'evloop-.*'"),
                startup.get(0));
        assertEquals(List.of(), app.stdoutMatching("^THROWN "), app.describeState());
        for (String scenario : EXPECTED.keySet()) {
            for (String thread : List.of("evloop-1", "worker-1")) {
                assertEquals(1, app.stdoutMatching("^DONE " + scenario + " " + thread + "$").size(),
                        scenario + " on " + thread + app.describeState());
            }
        }
        assertEquals(1, app.stdoutMatching("^FINISHED$").size(), app.describeState());
    }

    @Test
    @DisplayName("on evloop-1 (nonblocking=evloop-.*) each covered call is reported exactly once, named by the API called; non-blocking channels, selectNow and console output are not")
    void everyCoveredCallIsReportedOnANonBlockingThread() {
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (String scenario : EXPECTED.keySet()) {
            actual.put(scenario, new ArrayList<>());
        }
        for (Report r : reports) {
            if (r.thread().equals("evloop-1")) {
                String scenario = r.firstMethodOf(APP);
                assertNotNull(scenario, "report without a scenario frame: " + r);
                actual.computeIfAbsent(scenario, k -> new ArrayList<>()).add(r.method());
            }
        }
        assertEquals(EXPECTED, actual, "reports on evloop-1 by scenario" + app.describeState());
    }

    @Test
    @DisplayName("the same calls on worker-1 (an ordinary thread) are not reported")
    void nothingIsReportedOnAnOrdinaryThread() {
        assertEquals(List.of(), reports.stream().filter(r -> r.thread().equals("worker-1")).toList(), app.describeState());
        assertEquals(List.of(), app.stderrMatching("on thread (worker-1|main|fixture-.*)$"), app.describeState());
    }

    @Test
    @DisplayName("a report is the header line plus the stack from the blocking JDK method down to the app's call and the thread's run()")
    void reportCarriesTheStack() {
        Report sleep = reports.stream().filter(r -> "sleep".equals(r.firstMethodOf(APP))).findFirst().orElseThrow();
        assertTrue(sleep.frames().get(0).startsWith("java.base/java.lang.Thread.sleepNanos("), sleep.toString());
        assertNotNull(sleep.frameContaining("java.base/java.lang.Thread.sleep(Thread.java:"), sleep.toString());
        assertNotNull(sleep.frameContaining(APP + ".sleep(BlockingCallsApp.java:"), sleep.toString());
        assertTrue(sleep.frames().get(sleep.frames().size() - 1).startsWith("java.base/java.lang.Thread.run("),
                sleep.toString());
        Report read = reports.stream().filter(r -> r.method().equals("java.net.Socket.getInputStream().read"))
                .findFirst().orElseThrow();
        assertTrue(read.frames().get(0).startsWith("java.base/sun.nio.ch.NioSocketImpl.read("), read.toString());
    }

    @Test
    @DisplayName("allow=<class>#<method> and CoioDetect.allowBlockingCallsInside exempt calls with that method on the stack, nothing else")
    void allowList() {
        List<String> scenarios = reports.stream().map(r -> r.firstMethodOf(APP)).toList();
        assertTrue(!scenarios.contains("allowedByOption") && !scenarios.contains("allowedInside"), scenarios.toString());
        assertTrue(scenarios.contains("notAllowed"), scenarios.toString());
    }

    @Test
    @DisplayName("CoioDetect.markNonBlocking(thread) makes an ordinary thread's calls reported; markBlocking turns that off")
    void markedThread() {
        List<Report> plain = reports.stream().filter(r -> r.thread().equals("plain-1")).toList();
        assertEquals(1, plain.size(), plain.toString());
        assertEquals("java.lang.Thread.sleep", plain.get(0).method());
        assertEquals("marked", plain.get(0).firstMethodOf(APP));
    }

    @Test
    @DisplayName("repeated calls at one call site print one report and are counted: the summary at exit gives 5x and 1x for the two sites of 'repeat'")
    void deduplicatedWithCountsInTheSummary() {
        List<String> summary = app.stderrMatching("^coio: detect summary: ");
        assertEquals(1, summary.size(), app.describeState());
        int sites = EXPECTED.values().stream().mapToInt(List::size).sum() + 1; // + plain-1's
        assertTrue(summary.get(0).startsWith("coio: detect summary: " + sites + " call sites, "), summary.get(0));
        List<String> repeat = app.stderrMatching("^coio:   \\d+x java\\.lang\\.Thread\\.sleep at " + APP.replace(".", "\\.")
                + "\\.repeat\\(");
        assertEquals(2, repeat.size(), app.describeState());
        assertTrue(repeat.get(0).startsWith("coio:   5x ") && repeat.get(0).endsWith(", thread evloop-1"), repeat.get(0));
        assertTrue(repeat.get(1).startsWith("coio:   1x "), repeat.get(1));
    }

    @Test
    @DisplayName("onblock=throw: the call throws io.coio.agent.detect.BlockingCallError on evloop-1 (stack starting at the JDK method), worker-1 is untouched")
    void onBlockThrow() {
        AgentJvm t = AgentJvm.builder(APP).addClasspath(AgentJvm.detectApiJar().toString())
                .agent("mode=detect,nonblocking=evloop-.*,onblock=throw")
                .args("evloop-1=sleep,socket,fileInputStream,console", "worker-1=sleep,socket,fileInputStream,console")
                .start();
        try (t) {
            assertEquals(0, t.awaitExit(EXIT), t.describeState());
        }
        String error = "io.coio.agent.detect.BlockingCallError: blocking call ";
        assertEquals(1, t.stdoutMatching("^THROWN sleep evloop-1 " + error + "java\\.lang\\.Thread\\.sleep on thread evloop-1 "
                + "\\(coio detect mode, onblock=throw\\) @ java\\.base/java\\.lang\\.Thread\\.sleepNanos\\(").size(), t.describeState());
        assertEquals(1, t.stdoutMatching("^THROWN socket evloop-1 " + error + "java\\.net\\.Socket\\.connect on thread evloop-1 ").size(),
                t.describeState());
        assertEquals(1, t.stdoutMatching("^THROWN fileInputStream evloop-1 " + error + "java\\.io\\.FileInputStream\\.read ").size(),
                t.describeState());
        assertEquals(1, t.stdoutMatching("^DONE console evloop-1$").size(), t.describeState());
        assertEquals(4, t.stdoutMatching("^DONE \\w+ worker-1$").size(), t.describeState());
        assertEquals(1, t.stdoutMatching("^FINISHED$").size(), t.describeState());
        assertEquals(List.of(), DetectReports.parse(t.stderrLines()), "throw mode throws instead of printing" + t.describeState());
        assertEquals(1, t.stderrMatching("^coio: detect summary: 3 call sites, 3 blocking calls$").size(), t.describeState());
    }

    @Test
    @DisplayName("onblock=throw without coio-detect-api on the class path: the call throws java.lang.AssertionError with the same message (there is no BlockingCallError class to throw)")
    void onBlockThrowWithoutTheApiJar() {
        AgentJvm t = AgentJvm.builder(APP).agent("mode=detect,nonblocking=evloop-.*,onblock=throw")
                .args("evloop-1=sleep").start();
        try (t) {
            assertEquals(0, t.awaitExit(EXIT), t.describeState());
        }
        assertEquals(1, t.stdoutMatching("^THROWN sleep evloop-1 java\\.lang\\.AssertionError: blocking call java\\.lang\\.Thread\\.sleep"
                + " on thread evloop-1 \\(coio detect mode, onblock=throw\\) @ java\\.base/java\\.lang\\.Thread\\.sleepNanos\\(").size(),
                t.describeState());
    }

    @Test
    @DisplayName("each reported call is a coio.BlockingCall JFR event with method, thread, call site and stack (first=false for the repeated call); quiet=true prints no startup line")
    void jfrEvent() {
        AgentJvm j = AgentJvm.builder(DetectJfrApp.class).agent("mode=detect,nonblocking=evloop-.*,quiet=true").start();
        try (j) {
            assertEquals(0, j.awaitExit(EXIT), j.describeState());
        }
        String site = "site=" + DetectJfrApp.class.getName() + ".sleepOnce(DetectJfrApp.java:";
        List<String> events = j.stdoutMatching("^EVENT ");
        assertEquals(2, events.size(), j.describeState());
        assertTrue(events.get(0).startsWith("EVENT method=java.lang.Thread.sleep thread=evloop-1 first=true pinned=false " + site)
                && events.get(0).endsWith(" stackHasSleep=true"), events.get(0));
        assertTrue(events.get(1).startsWith("EVENT method=java.lang.Thread.sleep thread=evloop-1 first=false pinned=false " + site),
                events.get(1));
        assertEquals(List.of(), j.stderrMatching("^coio: detect mode"), j.describeState());
        assertEquals(1, DetectReports.parse(j.stderrLines()).size(), j.describeState());
    }

    @Test
    @DisplayName("a bad detect option, or a detect-only option without mode=detect: one 'coio: bad agent option' line naming token and fix, the app runs without coio")
    void badOptions() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("mode=detect,allow=NoHash", "coio: bad agent option 'allow=NoHash': 'NoHash' is not class#method. Fix: ");
        cases.put("mode=detect,onblock=explode", "coio: bad agent option 'onblock=explode': unknown onblock 'explode'. Fix: ");
        cases.put("nonblocking=evloop-.*", "coio: bad agent option 'nonblocking=evloop-.*': 'nonblocking' only works with mode=detect");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            AgentJvm b = AgentJvm.builder(APP).agent(c.getKey()).args("evloop-1=sleep").start();
            try (b) {
                assertEquals(0, b.awaitExit(EXIT), b.describeState());
            }
            List<String> lines = b.stderrMatching("coio");
            assertEquals(1, lines.size(), c.getKey() + b.describeState());
            assertTrue(lines.get(0).startsWith(c.getValue()) && lines.get(0).endsWith(" The app runs without coio."),
                    lines.get(0));
            assertEquals(1, b.stdoutMatching("^DONE sleep evloop-1$").size(), b.describeState());
        }
    }
}
