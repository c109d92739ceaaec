package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.DatagramEchoApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CarrierStatsLine;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocking DatagramChannel receive/send works in a converted thread and parks instead of blocking the carrier. */
@Timeout(120)
class DatagramTest {

    @Test
    @DisplayName("blocking DatagramChannel receive/send in a new Thread on carriers=1: echoes every datagram; another thread keeps running while receive waits; each receive wait was armed and woken on the carrier's epoll")
    void datagramEchoOnOneCarrier() throws Exception {
        try (AgentJvm app = AgentJvm.builder(DatagramEchoApp.class).agent("carriers=1,stats=true").start();
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String receiver = app.awaitStdout("^receiver virtual=.*$").group();
            assertTrue(receiver.matches("receiver virtual=true thread=.*@coio-carrier-0\\b.*"),
                    "the receiver thread must be a coroutine on coio-carrier-0: " + receiver);
            int port = Integer.parseInt(app.awaitStdout("^udp port (\\d+)$").group(1));
            client.setSoTimeout(10_000);

            for (int i = 1; i <= 5; i++) {
                app.awaitStdout("^receiving " + i + "$");
                // While the receiver waits for datagram i, the only carrier keeps running the ticker.
                for (int k = 0; k < 3; k++) {
                    app.awaitLine(AgentJvm.Stream.STDOUT, "^tick \\d+$", Duration.ofSeconds(20));
                }
                String payload = "datagram-" + i + "-" + "x".repeat(i * 100);
                byte[] out = payload.getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket in = new DatagramPacket(new byte[4096], 4096);
                client.receive(in);
                assertEquals("echo:" + payload, new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8),
                        "echo of datagram " + i + app.describeState());
                assertEquals(port, in.getPort(), "reply source port");
            }
            byte[] bye = "bye".getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(bye, bye.length, InetAddress.getLoopbackAddress(), port));
            app.awaitStdout("^receiver done$");
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
            assertEquals(0, app.stdoutMatching("receiver error").size(), app.describeState());
            // Without coio's Poller hook the JDK's poller would do these waits and everything above would still
            // pass: the carrier's counters show that each of the 5 receives (sent only once the receiver was
            // waiting) parked on the carrier's epoll and was woken by it.
            CarrierStatsLine stats = CarrierStatsLine.of(app, 1).get(0);
            assertTrue(stats.parks() >= 5 && stats.wakeups() >= 5, "the receive waits must be coio's (parks and"
                    + " wakeups >= 5): " + stats.line());
        }
    }
}
