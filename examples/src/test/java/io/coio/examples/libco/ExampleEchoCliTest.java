package io.coio.examples.libco;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example_echocli port: libco's request ("sarlmol\0"), its per-second report, success and failure counts. */
class ExampleEchoCliTest {
    /** A loaded CI machine can stall a second; zero failures is asserted, so the tests allow 30 s (libco: 1 s). */
    private static final int SLOW_MACHINE_IO_TIMEOUT_MS = 30_000;
    private static final byte[] REQUEST = "sarlmol\0".getBytes(StandardCharsets.US_ASCII);

    @Test
    void drivesAPlainEchoServerWithLibcosRequestAndNoFailures() throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicReference<String> wrong = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread acceptor = new Thread(() -> serveRequests(server, requests, wrong), "test-echo");
            acceptor.setDaemon(true);
            acceptor.start();
            Output out = new Output();
            ExampleEchoCli cli = ExampleEchoCli.start(out.stream, "127.0.0.1", server.getLocalPort(), 10, 2, SLOW_MACHINE_IO_TIMEOUT_MS);
            waitForLines(out, "time \\d+ Succ Cnt [1-9]\\d* Fail Cnt 0", 2);
            cli.stop();
            assertNull(wrong.get());
            assertTrue(cli.totalSucc() > 0);
            assertEquals(0, cli.totalFail(), out.lines().toString());
            assertTrue(requests.get() >= cli.totalSucc(), requests + " requests, " + cli.totalSucc() + " successes");
            assertEquals("time 0 Succ Cnt 0 Fail Cnt 0", out.lines().get(0));
        }
    }

    @Test
    void drivesTheJavaEchoServerPort() throws Exception {
        Output svrOut = new Output();
        ExampleEchoSvr svr = ExampleEchoSvr.start(svrOut.stream, "127.0.0.1", 0, 20, 1);
        Output out = new Output();
        ExampleEchoCli cli = ExampleEchoCli.start(out.stream, "127.0.0.1", svr.port(), 20, 1, SLOW_MACHINE_IO_TIMEOUT_MS);
        try {
            waitForLines(out, "time \\d+ Succ Cnt [1-9]\\d* Fail Cnt 0", 2);
        } finally {
            cli.stop();
            svr.stop();
        }
        assertEquals(0, cli.totalFail(), out.lines().toString());
        assertTrue(cli.totalSucc() > 0);
    }

    @Test
    void countsFailuresWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Output out = new Output();
        ExampleEchoCli cli = ExampleEchoCli.start(out.stream, "127.0.0.1", port, 2, 1, ExampleEchoCli.LIBCO_IO_TIMEOUT_MS);
        waitForLines(out, "time \\d+ Succ Cnt 0 Fail Cnt [1-9]\\d*", 1);
        cli.stop();
        assertEquals(0, cli.totalSucc());
        assertTrue(cli.totalFail() > 0);
    }

    /** Waits (bounded) until {@code count} lines match {@code regex}. */
    private static void waitForLines(Output out, String regex, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (out.lines().stream().filter(l -> l.matches(regex)).count() < count && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the example's output; bounded by the deadline and asserted below
        }
        assertTrue(out.lines().stream().filter(l -> l.matches(regex)).count() >= count, out.lines().toString());
    }

    /** A thread-per-connection echo server that checks every 8-byte request is libco's. */
    private static void serveRequests(ServerSocket server, AtomicLong requests, AtomicReference<String> wrong) {
        try {
            for (;;) {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        byte[] req = new byte[8];
                        for (;;) {
                            in.readFully(req);
                            if (!Arrays.equals(REQUEST, req)) {
                                wrong.compareAndSet(null, Arrays.toString(req));
                            }
                            requests.incrementAndGet();
                            s.getOutputStream().write(req);
                        }
                    } catch (IOException closed) {
                        // the client closed the connection
                    }
                });
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException closed) {
            // server closed at the end of the test
        }
    }
}
