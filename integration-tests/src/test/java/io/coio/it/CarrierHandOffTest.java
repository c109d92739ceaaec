package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.CarrierBlockingApp;
import example.apps.FailedInstallApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.LineClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With one carrier, a coroutine that blocks its OS thread where it cannot yield must not stall the carrier's other
 * connections: the loop moves to a spare OS thread (hand-off), counted by cause in {@code stats=true}.
 *
 * <p>The hook tests switch the watchdog off ({@code blockedms=0}), so that only the hook under test can move the
 * loop. Each scenario is deterministic: the blocking handler first answers a "now blocking" line, then can no longer
 * yield until it blocks; with one carrier, another connection is echoed only if the loop left that thread.
 */
@Timeout(180)
class CarrierHandOffTest {
    static final Duration ANSWER = Duration.ofSeconds(20);

    @Test
    @DisplayName("carriers=1: a FileInputStream.read blocked on a FIFO hands the loop off; other connections are echoed meanwhile")
    void fileReadOnAFifo(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw"); // O_RDWR: the app's open never blocks
             AgentJvm app = start("carriers=1,stats=true,blockedms=0")) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient blocker = new LineClient(port, ANSWER, "blocker")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(blocker, app);
                assertEquals("reading", blocker.call("fifo " + fifo, "fifo" + app.describeState()));
                echoWhileBlocked(other, app);
                writer.write(42);
                assertEquals("fifo 42", blocker.receive("fifo after the write" + app.describeState()));
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("fileHandOffs") >= 1, "fileHandOffs: " + stats);
        }
    }

    @Test
    @DisplayName("carriers=1: Object.wait inside a class initializer (pinned) hands the loop off; its notifier on the same carrier runs")
    void pinnedObjectWait() throws Exception {
        pinnedObjectWaitHandsOff("carriers=1,stats=true,blockedms=0");
    }

    @Test
    @DisplayName("carriers=1, blockedms=60000: Object.wait inside a class initializer is handed off by the deferred rule (1 ms), not the watchdog's blocked rule")
    void pinnedObjectWaitDeferred() throws Exception {
        Map<String, Long> stats = pinnedObjectWaitHandsOff("carriers=1,stats=true,blockedms=60000");
        assertEquals(0L, stats.get("watchdogHandOffs"), "watchdogHandOffs: " + stats);
    }

    /**
     * A client's {@code waitinit} makes its thread wait in a class initializer (pinned); another client is echoed on
     * the same carrier meanwhile, then notifies it. Returns the app's coio stats, with a pinned-wait hand-off counted.
     */
    private Map<String, Long> pinnedObjectWaitHandsOff(String options) throws Exception {
        try (AgentJvm app = start(options)) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient waiter = new LineClient(port, ANSWER, "waiter")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(waiter, app);
                assertEquals("waiting", waiter.call("waitinit", "waitinit" + app.describeState()));
                echoWhileBlocked(other, app);
                assertEquals("notified", other.call("notify", "notify" + app.describeState()));
                assertEquals("waitinit done", waiter.receive("waitinit after notify" + app.describeState()));
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("pinnedWaitHandOffs") >= 1, "pinnedWaitHandOffs: " + stats);
            return stats;
        }
    }

    @Test
    @DisplayName("carriers=1: a socket read inside a class initializer (pinned park) hands the loop off, counted as pinnedFallbacks")
    void pinnedPark() throws Exception {
        try (ServerSocket release = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentJvm app = start("carriers=1,stats=true,blockedms=0")) {
            release.setSoTimeout((int) ANSWER.toMillis());
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient init = new LineClient(port, ANSWER, "init")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(init, app);
                assertEquals("initializing", init.call("pinnedpark " + release.getLocalPort(), "pinnedpark" + app.describeState()));
                try (Socket fromInit = release.accept()) {
                    echoWhileBlocked(other, app);
                    OutputStream out = fromInit.getOutputStream();
                    out.write("go\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertEquals("pinnedpark go", init.receive("pinnedpark after release" + app.describeState()));
                }
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("pinnedFallbacks") >= 1, "pinnedFallbacks: " + stats);
        }
    }

    @Test
    @DisplayName("carriers=1: the watchdog hands off a loop whose thread is blocked on a monitor while pinned (class initializer)")
    void watchdogMonitorWhilePinned() throws Exception {
        try (AgentJvm app = start("carriers=1,stats=true,blockedms=100")) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient holder = new LineClient(port, ANSWER, "holder");
                 LineClient init = new LineClient(port, ANSWER, "init")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(holder, app);
                assertEquals("holding", holder.call("hold", "hold" + app.describeState()));
                warmUp(init, app);
                assertEquals("entering", init.call("monitorinit", "monitorinit" + app.describeState()));
                echoWhileBlocked(other, app);
                assertEquals("released", holder.call("release", "release" + app.describeState()));
                assertEquals("monitorinit done", init.receive("monitorinit after release" + app.describeState()));
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("watchdogHandOffs") >= 1, "watchdogHandOffs: " + stats);
            assertTrue(app.stderrMatching("^coio: carrier 0 handed its event loop to another OS thread: coroutine .* has been BLOCKED").size() >= 1,
                    "the watchdog reports the hand-off" + app.describeState());
            assertTrue(app.stderrMatching("^\\tat .*CarrierBlockingApp\\$MonitorInit\\.<clinit>").size() >= 1,
                    "the report shows the blocked coroutine's stack" + app.describeState());
        }
    }

    @Test
    @DisplayName("carriers=1: the watchdog hands off a loop whose thread is in a native method no hook sees (RandomAccessFile.readLine on a FIFO)")
    void watchdogNativeRead(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             AgentJvm app = start("carriers=1,stats=true,blockedms=100")) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient blocker = new LineClient(port, ANSWER, "blocker")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(blocker, app);
                assertEquals("reading", blocker.call("rafline " + fifo, "rafline" + app.describeState()));
                echoWhileBlocked(other, app);
                writer.write("line-1\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("rafline line-1", blocker.receive("rafline after the write" + app.describeState()));
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("watchdogHandOffs") >= 1, "watchdogHandOffs: " + stats);
            assertTrue(app.stderrMatching("has been in native code \\(RUNNABLE, no CPU\\) for \\d+ ms inside one run").size() >= 1,
                    "the watchdog reports a native method" + app.describeState());
        }
    }

    @Test
    @DisplayName("carriers=1: the watchdog hands off a loop whose thread blocks opening a FIFO (no writer yet)")
    void watchdogFifoOpen(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        try (AgentJvm app = start("carriers=1,stats=true,blockedms=100")) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient blocker = new LineClient(port, ANSWER, "blocker")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(blocker, app);
                assertEquals("opening", blocker.call("fifoopen " + fifo, "fifoopen" + app.describeState()));
                echoWhileBlocked(other, app);
                try (java.io.FileOutputStream writer = new java.io.FileOutputStream(fifo.toFile())) { // unblocks the open
                    assertEquals("opened", blocker.receive("fifoopen after a writer opened" + app.describeState()));
                }
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("watchdogHandOffs") >= 1, "watchdogHandOffs: " + stats);
        }
    }

    @Test
    @DisplayName("carriers=1: Process.waitFor parks the coroutine (JDK 25: a j.u.c. condition); other connections are echoed meanwhile")
    void processWaitFor(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             AgentJvm app = start("carriers=1,stats=true")) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient waiter = new LineClient(port, ANSWER, "waiter")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                warmUp(waiter, app);
                assertEquals("started", waiter.call("proc " + fifo, "proc" + app.describeState()));
                echoWhileBlocked(other, app);
                writer.write("go\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("proc exit=0", waiter.receive("proc after release" + app.describeState()));
                other.send("quit");
            }
            stats(app);
        }
    }

    @Test
    @DisplayName("carriers=1: a host-name lookup (platform resolver) hands the loop off, counted as dnsHandOffs")
    void dnsLookup() throws Exception {
        try (AgentJvm app = start("carriers=1,stats=true,blockedms=0")) {
            int port = port(app);
            try (LineClient client = new LineClient(port, ANSWER, "client")) {
                warmUp(client, app);
                // A name no one looked up before in this JVM (InetAddress caches answers, and the JVM may have
                // resolved "localhost" already): the platform resolver is asked; offline it answers "unknown".
                // Twice: the first lookup may load classes (a file read that hands the loop off first, and a run
                // hands off once); the second finds everything loaded and hands off at the lookup itself.
                for (int i = 0; i < 2; i++) {
                    String name = "coio-" + i + "-" + System.nanoTime() + ".invalid";
                    assertTrue(client.call("dns " + name, "dns" + app.describeState()).matches("dns ([1-9]\\d*|unknown)"));
                }
                client.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("dnsHandOffs") >= 1, "dnsHandOffs: " + stats);
        }
    }

    @Test
    @DisplayName("carriers=1: a coroutine busy on the CPU without yielding keeps its OS thread and the loop moves on"
            + " (busyHandOffs): another connection is served, and can even tell the spinner to stop")
    void busyRunIsHandedOff() throws Exception {
        spinnerLetsOthersRun("carriers=1,stats=true");
    }

    @Test
    @DisplayName("carriers=1,blockedms=60000: the busy time slice (slicems, 20 ms by default) alone moves a spinning"
            + " coroutine off its carrier; another connection is served and tells the spinner to stop")
    void busyRunIsMovedAfterTheSlice() throws Exception {
        // blockedms is a minute: only the slice can have moved the spinner before the other connection's answer.
        spinnerLetsOthersRun("carriers=1,stats=true,blockedms=60000");
    }

    /**
     * A coroutine spins on the CPU without yielding; without the busy hand-off the other connection would wait
     * behind it for ever (nothing preempts it). The other connection is served and tells the spinner to stop.
     */
    private void spinnerLetsOthersRun(String agentOptions) throws Exception {
        try (AgentJvm app = start(agentOptions)) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                // Twice, each on a fresh connection whose coroutine's first run is the spin (see spinOnAFreshConnection):
                // the first round may load classes, a file read that hands the run off before it spins (a run handed
                // off earlier needs no busy hand-off); the second finds everything loaded.
                for (int round = 0; round < 2; round++) {
                    assertEquals("ready", other.call("spinready", "spin ready" + app.describeState()));
                    LineClient spinner = new LineClient(port, ANSWER, "spinner");
                    assertEquals("spinning", spinner.call("spinuntil", "spin" + app.describeState()));
                    echoWhileBlocked(other, app);
                    assertEquals("stopped", other.call("stopspin", "stop" + app.describeState()));
                    assertEquals("spun", spinner.receive("spinner after stop" + app.describeState()));
                    spinner.close();
                }
                other.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertTrue(stats.get("busyHandOffs") >= 1, "busyHandOffs: " + stats);
        }
    }

    @Test
    @DisplayName("longrunms=200, blockedms=0: a coroutine that runs CPU-bound without yielding is reported once with its stack (hand-offs off)")
    void longRunIsReported() throws Exception {
        try (AgentJvm app = start("carriers=1,stats=true,longrunms=200,blockedms=0")) {
            int port = port(app);
            try (LineClient client = new LineClient(port, ANSWER, "client")) {
                warmUp(client, app);
                assertEquals("spun", client.call("spin 1", "spin" + app.describeState())); // loads the spin's classes
                spinOnAFreshConnection(port, 2000, app);
                client.send("quit");
            }
            Map<String, Long> stats = stats(app);
            assertEquals(1, stats.get("longRuns"), "longRuns: " + stats);
            assertEquals(0, stats.get("watchdogHandOffs") + stats.get("busyHandOffs"), "blockedms=0: no hand-off: " + stats);
            assertTrue(app.stderrMatching("^coio: coroutine .* has run \\d+ ms on carrier 0 without yielding").size() == 1,
                    "one report" + app.describeState());
            assertTrue(app.stderrMatching("^\\tat example\\.apps\\.CarrierBlockingApp\\.handle").size() >= 1,
                    "the report shows the coroutine's stack" + app.describeState());
        }
    }

    @Test
    @DisplayName("JFR: each hand-off is a coio.HandOff event with its cause and the coroutine's stack; a long run is a coio.LongRun event")
    void jfrEvents(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        Path recording = dir.resolve("rec.jfr");
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             AgentJvm app = AgentJvm.builder(CarrierBlockingApp.class).agent("carriers=1,blockedms=0,longrunms=200")
                     .jvmArg("-XX:StartFlightRecording:filename=" + recording).start()) {
            int port = port(app);
            try (LineClient client = new LineClient(port, ANSWER, "client")) {
                warmUp(client, app);
                assertEquals("spun", client.call("spin 1", "spin" + app.describeState())); // loads the spin's classes
                spinOnAFreshConnection(port, 1500, app);
                assertEquals("reading", client.call("fifo " + fifo, "fifo" + app.describeState()));
                writer.write(1);
                assertEquals("fifo 1", client.receive("fifo after the write" + app.describeState()));
                client.send("quit");
            }
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
        }
        List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(recording);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("coio.HandOff")
                        && "FILE".equals(e.getString("cause"))
                        && e.getString("stack").contains("java.io.FileInputStream.read")
                        && e.getString("stack").contains("CarrierBlockingApp.handle")),
                "a coio.HandOff event for the FIFO read, with its stack");
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("coio.LongRun")
                        && e.getLong("millis") >= 200 && e.getString("stack").contains("CarrierBlockingApp.handle")),
                "a coio.LongRun event for the spin, with its stack");
        assertTrue(events.stream().filter(e -> e.getEventType().getName().startsWith("coio."))
                        .allMatch(e -> e.getEventType().getCategoryNames().equals(List.of("coio"))),
                "category coio");
    }

    @Test
    @DisplayName("a failed install (self-check failing on purpose) leaves no coio thread, no coio property, no converted thread: output as without the agent")
    void failedInstallLeavesNoTrace() {
        List<String> without = failedInstallAppWithoutAgent();
        try (AgentJvm app = AgentJvm.builder(FailedInstallApp.class).agent("carriers=2,stats=true")
                .jvmArg("-Dcoio.test.failSelfCheck=true").start()) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            assertEquals(without, app.stdoutLines(), "the app's output with a failed install" + app.describeState());
            assertEquals(List.of("coio: could not install (java.lang.IllegalStateException: self-check failed on purpose"
                            + " (-Dcoio.test.failSelfCheck=true)). The app runs without coio."), app.stderrLines(),
                    "one line on stderr, and no stats at exit" + app.describeState());
        }
        assertEquals(List.of("coio threads: []", "coio properties: []", "client thread: virtual=false answer=pong ping"),
                without, "the app's own view without the agent");
    }

    @Test
    @DisplayName("a JDK class on the print path whose rewrite fails as it loads (Blocker): the install fails, the app's"
            + " output is as without the agent, and coio's lines come after the rewrite, not inside it")
    void aRewriteThatFailsOnThePrintPathLeavesTheAppIntact() {
        List<String> without = failedInstallAppWithoutAgent();
        // printed inside the transformation, the error line loaded Blocker again inside its own loading: the JVM
        // then failed every println (ClassCircularityError), before the app's main()
        try (AgentJvm app = AgentJvm.builder(FailedInstallApp.class).agent("carriers=2")
                .jvmArg("-Dcoio.test.failRewriteOf=jdk/internal/misc/Blocker").start()) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            assertEquals(without, app.stdoutLines(), "the app's output with a failed install" + app.describeState());
            List<String> err = app.stderrLines();
            assertEquals(2, err.size(), "two lines" + app.describeState());
            assertEquals("coio: could not rewrite jdk.internal.misc.Blocker: java.lang.IllegalStateException: rewrite"
                    + " failed on purpose (-Dcoio.test.failRewriteOf)", err.get(0), app.describeState());
            assertTrue(err.get(1).startsWith("coio: could not install (java.lang.IllegalStateException: ")
                    && err.get(1).contains("jdk.internal.misc.Blocker.") && err.get(1).endsWith("The app runs without coio."),
                    app.describeState());
        }
    }

    // ---- helpers ----

    /** What {@link FailedInstallApp} prints without the agent. */
    private static List<String> failedInstallAppWithoutAgent() {
        try (AgentJvm plain = AgentJvm.builder(FailedInstallApp.class).noAgent().start()) {
            assertEquals(0, plain.awaitExit(Duration.ofSeconds(60)), "exit code" + plain.describeState());
            return plain.stdoutLines();
        }
    }

    /**
     * A long spin in the first run of a new connection's coroutine: a run that handed the loop off earlier (a class
     * read from the class path is file I/O) goes on on the old thread, which no longer drives the loop and stalls
     * nothing, so the watchdog rightly ignores it; and on a connection already in use the next command may be
     * read in that same run, before the coroutine parks. A new connection's coroutine starts a run of its own.
     */
    private static void spinOnAFreshConnection(int port, int millis, AgentJvm app) {
        try (LineClient spinner = new LineClient(port, ANSWER, "spinner")) {
            assertEquals("spun", spinner.call("spin " + millis, "spin" + app.describeState()));
        }
    }

    private static AgentJvm start(String options) {
        return AgentJvm.builder(CarrierBlockingApp.class).agent(options).start();
    }

    private static int port(AgentJvm app) {
        return Integer.parseInt(app.awaitStdout("^listening on (\\d+)$").group(1));
    }

    /**
     * One round trip first: the connection's handler then waits for its next line, so the command that follows
     * starts a fresh coroutine run (a hand-off earlier in the same run would move the loop before the command).
     */
    private static void warmUp(LineClient client, AgentJvm app) {
        assertEquals("echo first", client.call("echo first", "warm-up" + app.describeState()));
    }

    /** The other connection, on the same (only) carrier, is served while the blocker holds its OS thread. */
    private static void echoWhileBlocked(LineClient other, AgentJvm app) {
        for (int i = 0; i < 3; i++) {
            assertEquals("echo during-" + i, other.call("echo during-" + i,
                    "another connection of the carrier while one coroutine blocks its OS thread" + app.describeState()));
        }
    }

    /** Waits for the exit and parses the one stats line into name -> value. */
    static Map<String, Long> stats(AgentJvm app) {
        assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
        List<String> lines = app.stderrMatching("^coio stats: ");
        assertEquals(1, lines.size(), "one stats line" + app.describeState());
        Map<String, Long> m = new HashMap<>();
        for (String kv : lines.get(0).substring("coio stats: ".length()).split(" ")) {
            String[] p = kv.split("=");
            m.put(p[0], Long.parseLong(p[1]));
        }
        System.out.println(lines.get(0));
        return m;
    }

    private static Path mkfifo(Path dir) throws IOException, InterruptedException {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return fifo;
    }
}
