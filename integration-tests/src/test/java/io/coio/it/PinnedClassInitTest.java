package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.PinnedInitApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import io.coio.it.harness.LineClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A coroutine that blocks where it cannot yield (socket I/O inside a class initializer) must neither
 * deadlock nor stall the other connections of its carrier, and the fallback is counted.
 */
@Timeout(120)
class PinnedClassInitTest {
    static final Duration ANSWER = Duration.ofSeconds(20);

    @Test
    @DisplayName("carriers=1: while a handler is blocked in a class initializer's socket read, other connections (old and new) are still echoed; then the initializer completes; stats count the pinned fallback")
    void pinnedInitializerDoesNotStallTheCarrier() throws IOException {
        try (ServerSocket release = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentJvm app = AgentJvm.builder(PinnedInitApp.class).agent("carriers=1,stats=true")
                     .args(release.getLocalPort()).start()) {
            int port = Integer.parseInt(app.awaitStdout("^listening on (\\d+)$").group(1));
            release.setSoTimeout((int) ANSWER.toMillis());
            try (LineClient initiator = new LineClient(port, ANSWER, "initiator");
                 LineClient before = new LineClient(port, ANSWER, "opened-before")) {
                assertEquals("echo warm-up", before.call("echo warm-up", "before the initializer" + app.describeState()));
                assertEquals("virtual=true coio=true", initiator.call("whoami", "whoami" + app.describeState()),
                        "the handler that will run the initializer must be a coio coroutine");

                initiator.send("init");
                Socket fromClinit;
                try {
                    fromClinit = release.accept();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the class initializer never connected to the test" + app.describeState(), e);
                }
                try (fromClinit) {
                    app.awaitStdout("^clinit connected$");
                    // The initializer is now blocked in its read until we write. Other connections must be served.
                    for (int i = 0; i < 5; i++) {
                        assertEquals("echo old-" + i, before.call("echo old-" + i,
                                "an existing connection while the class initializer is blocked" + app.describeState()));
                    }
                    try (LineClient after = new LineClient(port, ANSWER, "opened-during")) {
                        for (int i = 0; i < 5; i++) {
                            assertEquals("echo new-" + i, after.call("echo new-" + i,
                                    "a new connection while the class initializer is blocked" + app.describeState()));
                        }
                    }
                    assertFalse(initiator.hasAnswerWaiting(), "init answered before the initializer was released");
                    assertTrue(app.stdoutMatching("^clinit read").isEmpty(), "initializer finished before release");

                    OutputStream out = fromClinit.getOutputStream();
                    out.write("released-42\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertEquals("init released-42", initiator.receive("init after release" + app.describeState()));
                }
                assertEquals("echo after", before.call("echo after", "after the initializer" + app.describeState()));
                before.send("quit");
            }
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());

            CarrierStatsLine stats = CarrierStatsLine.of(app, 1).get(0);
            System.out.println("pinned class initializer run: " + stats.line());
            assertEquals(0, stats.carrier(), "carrier index");
            assertTrue(stats.started() >= 3, "started counts the handler coroutines: " + stats.line());
            assertTrue(stats.parks() >= 1, "parks: " + stats.line());
            assertTrue(stats.wakeups() >= 1, "wakeups: " + stats.line());
            // The initializer prints "clinit connected" before its read: that console write (jdk.internal.misc.Blocker)
            // already hands the loop off, so the pinned park that follows finds it handed on. Either way: counted.
            assertTrue(stats.handOffs() >= 1, "a hand-off must be counted for the blocked initializer: " + stats.line());
        }
    }
}
