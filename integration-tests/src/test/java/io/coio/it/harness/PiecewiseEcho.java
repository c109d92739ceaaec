package io.coio.it.harness;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client of an echo server that sends messages of random sizes (1–200 or 1–20,000 bytes) in 1–3 pieces and
 * compares every byte it gets back: how the pieces meet the server's reads is what the readiness tests vary.
 * Test threads only.
 */
public final class PiecewiseEcho {
    private PiecewiseEcho() {
    }

    /**
     * {@code rounds} echoes on a new loopback connection to {@code port}; first waits for the server's ready byte
     * {@code 'R'} if {@code readyByte}; with {@code yieldBetweenPieces} sometimes yields between two pieces.
     */
    public static void run(int port, Random rnd, int rounds, boolean readyByte, boolean yieldBetweenPieces)
            throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            if (readyByte) {
                assertEquals('R', in.readByte(), "the server's ready byte");
            }
            for (int r = 0; r < rounds; r++) {
                byte[] msg = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 200 : 20_000)];
                rnd.nextBytes(msg);
                int pieces = 1 + rnd.nextInt(3);
                int off = 0;
                for (int p = 1; p <= pieces; p++) {
                    int end = p == pieces ? msg.length : off + rnd.nextInt(msg.length - off + 1);
                    out.write(msg, off, end - off);
                    out.flush();
                    off = end;
                    if (yieldBetweenPieces && rnd.nextInt(4) == 0) {
                        Thread.yield(); // vary how the pieces meet the server's reads
                    }
                }
                byte[] back = new byte[msg.length];
                in.readFully(back);
                assertArrayEquals(msg, back, "echo " + r + " of " + msg.length + " bytes");
            }
        }
    }
}
