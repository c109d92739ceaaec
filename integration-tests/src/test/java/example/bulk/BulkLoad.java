package example.bulk;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bulk-body load: {@code connections} keep-alive HTTP/1.1 connections (one platform thread each) that each
 * loop {@code POST /echo} with a {@code size}-byte body for {@code seconds} and check that every answer is 200
 * and byte for byte the body sent (each request's first 8 bytes are its own sequence number, the rest random
 * per connection). Args: {@code <port> <connections> <seconds> <size> [stop]}; with {@code stop} it sends
 * {@code GET /stop} at the end. Prints {@code BULK ops=<n> wrong=<n> errors=<n> seconds=<s> opsPerSec=<r>
 * mibPerSec=<r>}.
 */
public final class BulkLoad {
    /** What one load run saw. */
    public record Result(long ops, long wrong, long errors, double seconds, int size) {
        @Override
        public String toString() {
            return String.format("BULK ops=%d wrong=%d errors=%d seconds=%.2f opsPerSec=%.1f mibPerSec=%.1f", ops,
                    wrong, errors, seconds, ops / seconds, ops * (double) size / seconds / (1 << 20));
        }
    }

    public static void main(String[] args) throws Exception {
        Result r = run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Double.parseDouble(args[2]),
                Integer.parseInt(args[3]), args.length > 4 && args[4].equals("stop"));
        System.out.println(r);
    }

    /** Runs the load; with {@code stop} it sends {@code GET /stop} after it. */
    public static Result run(int port, int connections, double seconds, int size, boolean stop)
            throws InterruptedException {
        AtomicLong ops = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().name("bulk-" + c).start(() -> {
                try {
                    connection(port, id, size, end, ops, wrong);
                } catch (IOException e) {
                    errors.incrementAndGet();
                    System.err.println("bulk connection " + id + ": " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double took = (System.nanoTime() - start) / 1e9;
        if (stop) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write("GET /stop HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().readAllBytes();
            } catch (IOException e) {
                System.err.println("stop: " + e);
            }
        }
        return new Result(ops.get(), wrong.get(), errors.get(), took, size);
    }

    private static void connection(int port, int id, int size, long end, AtomicLong ops, AtomicLong wrong)
            throws IOException {
        byte[] body = new byte[size];
        new SplittableRandom(id).nextBytes(body);
        byte[] got = new byte[size];
        byte[] head = ("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            for (long seq = 0; System.nanoTime() < end; seq++) {
                if (size >= 8) {
                    ByteBuffer.wrap(body).putLong(0, seq * 1_000_003L + id);
                }
                out.write(head);
                out.write(body);
                out.flush();
                int length = readHead(in);
                if (length != size) {
                    wrong.incrementAndGet();
                    throw new IOException("answer length " + length + ", sent " + size);
                }
                in.readNBytes(got, 0, size);
                if (!Arrays.equals(got, body)) {
                    wrong.incrementAndGet();
                } else {
                    ops.incrementAndGet();
                }
            }
        }
    }

    /** Reads a response head; returns its Content-Length, or throws unless the status is 200. */
    private static int readHead(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int length = -1;
        boolean first = true;
        for (;;) {
            line.setLength(0);
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("connection closed in the answer's head");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            if (line.isEmpty()) {
                return length;
            }
            String l = line.toString();
            if (first) {
                if (!l.startsWith("HTTP/1.1 200")) {
                    throw new IOException("status: " + l);
                }
                first = false;
            } else if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(l.substring(15).trim());
            }
        }
    }
}
