package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.CarrierBlockingApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.LineClient;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under the agent with its default watchdog, a file call on a coroutine runs on its carrier's loop thread and the loop
 * is handed to a spare only if the call is still in progress 1 ms later (deferred hand-off, runtime's
 * {@code DeferredHandOff}): a read that blocks (a FIFO with no data) is handed off and the carrier's other connections
 * are served meanwhile; reads that do not block ({@code /dev/urandom}, a regular file) cost no hand-off. The JDK's
 * rewritten classes are verified ({@code -XX:+BytecodeVerificationLocal}): the file methods' new exception handler too.
 */
@Timeout(180)
class DeferredFileHandOffTest {
    static final Duration ANSWER = Duration.ofSeconds(20);

    @Test
    @DisplayName("carriers=1: a FileInputStream.read blocked on a FIFO is handed off by the watchdog (fileHandOffs, not"
            + " watchdogHandOffs, a coio.HandOff event with the reader's stack); other connections are echoed meanwhile")
    void blockedFifoReadIsHandedOff(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        Path recording = dir.resolve("rec.jfr");
        // blockedms is a minute: the watchdog's rule for blocked threads cannot be what moves the loop in time.
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw"); // O_RDWR: the app's open never blocks
             AgentJvm app = AgentJvm.builder(CarrierBlockingApp.class).agent("carriers=1,stats=true,blockedms=60000")
                     .jvmArg("-XX:+UnlockDiagnosticVMOptions").jvmArg("-XX:+BytecodeVerificationLocal")
                     .jvmArg("-XX:StartFlightRecording:filename=" + recording).start()) {
            int port = port(app);
            try (LineClient other = new LineClient(port, ANSWER, "other");
                 LineClient blocker = new LineClient(port, ANSWER, "blocker")) {
                assertEquals("echo warm-up", other.call("echo warm-up", "warm-up" + app.describeState()));
                assertEquals("echo first", blocker.call("echo first", "warm-up" + app.describeState()));
                assertEquals("reading", blocker.call("fifo " + fifo, "fifo" + app.describeState()));
                for (int i = 0; i < 3; i++) {
                    assertEquals("echo during-" + i, other.call("echo during-" + i,
                            "another connection of the carrier while one coroutine blocks in a FIFO read" + app.describeState()));
                }
                writer.write(42);
                assertEquals("fifo 42", blocker.receive("fifo after the write" + app.describeState()));
                other.send("quit");
            }
            Map<String, Long> stats = CarrierHandOffTest.stats(app);
            assertTrue(stats.get("fileHandOffs") >= 1, "the blocked read was handed off as file I/O: " + stats);
            assertEquals(0, stats.get("watchdogHandOffs"), "not by the blocked-thread rule: " + stats);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("coio.HandOff")
                        && "FILE".equals(e.getString("cause"))
                        && e.getString("coroutine").startsWith("coroutine ")
                        // the read; or, on a loaded machine, the FIFO's open just before it if that took over the
                        // delay (the same run: the read then runs on the thread the loop left)
                        && e.getString("stack").contains("java.io.FileInputStream.")
                        && e.getString("stack").contains("CarrierBlockingApp.handle")),
                () -> "a coio.HandOff event for the FIFO read (or its open), with the reader's stack; hand-off events: "
                        + events.stream().filter(e -> e.getEventType().getName().equals("coio.HandOff"))
                        .map(e -> e.getString("cause") + " " + e.getString("coroutine") + "\n" + e.getString("stack"))
                        .toList());
    }

    @Test
    @DisplayName("carriers=1: 1,000 reads from /dev/urandom and a regular file, each in a run of its own, make"
            + " (almost) no hand-off")
    void readsThatDoNotBlockAreNotHandedOff(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small");
        Files.write(file, new byte[4096]);
        int reads = 1000;
        try (AgentJvm app = start("carriers=1,stats=true")) {
            int port = port(app);
            try (LineClient client = new LineClient(port, ANSWER, "client")) {
                assertEquals("echo first", client.call("echo first", "warm-up" + app.describeState()));
                assertEquals("reads " + reads, client.call("reads " + reads + " " + file, "reads" + app.describeState()));
                client.send("quit");
            }
            Map<String, Long> stats = CarrierHandOffTest.stats(app);
            System.out.println("deferred file hand-off: " + reads + " reads, fileHandOffs=" + stats.get("fileHandOffs"));
            // Handed off before each read (no deferral): at least 1,000. A loop thread preempted by the kernel inside a
            // read (or a class-file read) for over 1 ms on a loaded machine is handed off too: a few are tolerated.
            assertTrue(stats.get("fileHandOffs") <= reads / 50, "reads that do not block cost no hand-off: " + stats);
        }
    }

    @Test
    @DisplayName("carriers=1: a file read that throws ends its mark: the CPU-bound run after it is moved by the busy"
            + " slice, not as a file call still in progress")
    void aThrowingReadEndsItsMark() throws Exception {
        try (AgentJvm app = start("carriers=1,stats=true,blockedms=60000")) {
            int port = port(app);
            try (LineClient client = new LineClient(port, ANSWER, "client")) {
                assertEquals("echo first", client.call("echo first", "warm-up" + app.describeState()));
                assertEquals("closedread java.io.IOException", client.call("closedread 1",
                        "closedread (loads its classes)" + app.describeState()));
                assertEquals("echo again", client.call("echo again", "warm-up" + app.describeState()));
                assertEquals("closedread java.io.IOException", client.call("closedread 400",
                        "closedread" + app.describeState()));
                client.send("quit");
            }
            Map<String, Long> stats = CarrierHandOffTest.stats(app);
            // A mark left behind by the throw would have the watchdog hand the spinning run off as a file call within
            // a few ms, before its 20 ms slice ends: busyHandOffs would stay 0.
            assertTrue(stats.get("busyHandOffs") >= 1, "the spin after the throw was moved as busy: " + stats);
        }
    }

    private static AgentJvm start(String options) {
        return AgentJvm.builder(CarrierBlockingApp.class).agent(options)
                .jvmArg("-XX:+UnlockDiagnosticVMOptions").jvmArg("-XX:+BytecodeVerificationLocal").start();
    }

    private static int port(AgentJvm app) {
        return Integer.parseInt(app.awaitStdout("^listening on (\\d+)$").group(1));
    }

    private static Path mkfifo(Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return fifo;
    }
}
