package io.coio.examples;

import io.coio.examples.load.LoadResult;
import io.coio.examples.load.Loads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every echo server in this module promises, run against each one by overriding {@link #start()}
 * (the pattern of Netty's {@code SocketEchoTest}): byte-exact echo of any binary data until EOF,
 * many concurrent connections.
 */
@Timeout(60)
abstract class EchoServerContract {

    /** A server started on an ephemeral loopback port; closing it stops the server. */
    interface Started extends AutoCloseable {
        int port();

        @Override
        void close() throws IOException;
    }

    private Started server;

    /** Waits a bounded time for a server's accept thread to notice that the server was closed. */
    static void join(Thread acceptor) {
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server under test; must return only once it accepts connections. */
    abstract Started start() throws Exception;

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeEach
    void startServer() throws Exception {
        server = start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void loadToolCompletesEveryRoundTripWithZeroErrors() throws Exception {
        LoadResult result = Loads.echo(server.port(), 50, 10, Duration.ofSeconds(30));

        assertEquals(0, result.errors(), () -> "errors: " + result.firstErrors());
        assertEquals(500, result.roundTripsDone());
        assertEquals(50, result.opened());
        assertTrue(result.ok());
    }

    @Test
    void echoesArbitraryBinaryDataByteForByte() throws Exception {
        byte[] sent = new byte[1 << 20]; // larger than socket buffers: echo must stream, not buffer it all
        new Random(42).nextBytes(sent);
        for (int b = 0; b < 256; b++) {
            sent[b] = (byte) b; // every byte value, including 0, '\r', '\n' and 0xff
        }
        try (Socket socket = new Socket(LOOPBACK, server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            // Write from another thread: the echo comes back while we are still sending.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < sent.length; off += 7777) {
                        out.write(sent, off, Math.min(7777, sent.length - off));
                    }
                    socket.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = socket.getInputStream().readAllBytes(); // until the server closes after our EOF
            writer.join();
            assertEquals(sent.length, received.length);
            assertArrayEquals(sent, received);
        }
    }

    @Test
    void closesTheConnectionAfterTheClientsEndOfStream() throws Exception {
        try (Socket socket = new Socket(LOOPBACK, server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(new byte[] {1, 2, 3});
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertArrayEquals(new byte[] {1, 2, 3}, in.readNBytes(3));
            assertEquals(-1, in.read());
        }
    }
}
