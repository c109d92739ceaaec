package io.coio.it.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Client side of the echo tests, run in the test JVM on JDK virtual threads: opens {@code connections}
 * sockets at once, does one round trip on each, holds them all open while a hook runs (the test samples
 * the server's thread count there), then does the remaining round trips and checks every byte.
 *
 * <p>Each (connection, round) sends distinct bytes: the connection index and round number followed by
 * pseudo-random bytes of a length between 16 and 1,015, so a byte crossed between connections or rounds
 * is detected.
 */
public final class EchoLoad {
    private EchoLoad() {}

    /** What the load saw: bytes received per connection (in order) and every error. */
    public record Result(byte[][] received, List<String> errors) {
        /** Concatenation of everything received, connection by connection. */
        public byte[] transcript() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] r : received) {
                all.writeBytes(r == null ? new byte[0] : r);
            }
            return all.toByteArray();
        }
    }

    /** The bytes connection {@code conn} sends in round {@code round}. */
    public static byte[] payload(int conn, int round) {
        int len = 16 + Math.floorMod(conn * 131 + round * 31, 1000);
        byte[] b = new byte[len];
        new SplittableRandom(conn * 1_000_003L + round).nextBytes(b);
        ByteBuffer.wrap(b).putInt(conn).putInt(round);
        return b;
    }

    /** What an echo server must return over all rounds of connection {@code conn}. */
    public static byte[] expected(int conn, int rounds) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int r = 0; r < rounds; r++) {
            all.writeBytes(payload(conn, r));
        }
        return all.toByteArray();
    }

    /** Concatenated expected transcript of all connections. */
    public static byte[] expectedTranscript(int connections, int rounds) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int c = 0; c < connections; c++) {
            all.writeBytes(expected(c, rounds));
        }
        return all.toByteArray();
    }

    /**
     * Runs the load and returns what it saw; throws AssertionError if the connections cannot all be
     * established, or the rounds cannot finish, within {@code bound} (each).
     *
     * @param whileAllConnected run once on the calling thread after every connection is open and has
     *                          done its first round trip, before the remaining rounds start
     */
    public static Result run(int port, int connections, int rounds, Duration bound, Runnable whileAllConnected) {
        byte[][] received = new byte[connections][];
        Queue<String> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch connected = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(connections);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        int timeoutMillis = (int) bound.toMillis();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                int conn = c;
                clients.execute(() -> {
                    boolean counted = false;
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    try (Socket s = new Socket()) {
                        s.connect(address, timeoutMillis);
                        s.setSoTimeout(timeoutMillis);
                        s.setTcpNoDelay(true);
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        roundTrip(conn, 0, in, out, got);
                        connected.countDown();
                        counted = true;
                        if (!go.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                            throw new IOException("test never released the remaining rounds");
                        }
                        for (int r = 1; r < rounds; r++) {
                            roundTrip(conn, r, in, out, got);
                        }
                    } catch (Exception e) {
                        errors.add("connection " + conn + ": " + e);
                    } finally {
                        received[conn] = got.toByteArray();
                        if (!counted) {
                            connected.countDown();
                        }
                        done.countDown();
                    }
                });
            }
            try {
                if (!connected.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("only " + (connections - connected.getCount()) + " of " + connections
                            + " connections did their first round trip within " + bound.toMillis() + " ms; errors: "
                            + firstErrors(errors));
                }
                if (errors.isEmpty()) {
                    whileAllConnected.run();
                }
            } finally {
                go.countDown();
            }
            try {
                if (!done.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("only " + (connections - done.getCount()) + " of " + connections
                            + " connections finished their rounds within " + bound.toMillis() + " ms; errors: "
                            + firstErrors(errors));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new Result(received, new ArrayList<>(errors));
    }

    /** Asserts no errors and that every connection got exactly its own bytes back. */
    public static void assertAllEchoed(Result result, int connections, int rounds) {
        if (!result.errors().isEmpty()) {
            throw new AssertionError(result.errors().size() + " connections failed; first: "
                    + firstErrors(result.errors()));
        }
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int c = 0; c < connections; c++) {
            byte[] want = expected(c, rounds);
            byte[] got = result.received()[c];
            if (!Arrays.equals(want, got)) {
                if (bad++ < 5) {
                    first.append("\n  connection ").append(c).append(": expected ").append(want.length)
                            .append(" bytes, got ").append(got == null ? "none" : got.length + " bytes")
                            .append(", first difference at byte ").append(Arrays.mismatch(want, got == null ? new byte[0] : got));
                }
            }
        }
        if (bad > 0) {
            throw new AssertionError(bad + " of " + connections + " connections got wrong bytes back:" + first);
        }
    }

    private static void roundTrip(int conn, int round, InputStream in, OutputStream out, ByteArrayOutputStream got)
            throws IOException {
        byte[] p = payload(conn, round);
        out.write(p);
        out.flush();
        byte[] back = in.readNBytes(p.length);
        got.writeBytes(back);
        if (back.length != p.length) {
            throw new IOException("round " + round + ": EOF after " + back.length + " of " + p.length + " bytes");
        }
    }

    private static String firstErrors(Iterable<String> errors) {
        List<String> first = new ArrayList<>();
        for (String e : errors) {
            if (first.size() == 5) {
                first.add("...");
                break;
            }
            first.add(e);
        }
        return first.isEmpty() ? "none" : String.join("; ", first);
    }
}
