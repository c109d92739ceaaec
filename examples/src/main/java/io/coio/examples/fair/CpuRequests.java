package io.coio.examples.fair;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heavy half of the fairness load: {@code clients} keep-alive connections, each looping {@code GET /cpu?ms=N}
 * for {@code seconds}, one request at a time. Prints {@code cpu_requests=<completed> cpu_errors=<n>} at the end.
 * Usage: {@code CpuRequests <port> <clients> <ms> <seconds>}. Runs without the agent.
 */
public final class CpuRequests {
    private CpuRequests() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int clients = Integer.parseInt(args[1]);
        long ms = Long.parseLong(args[2]);
        long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Thread[] threads = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            threads[i] = new Thread(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(60_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    byte[] request = ("GET /cpu?ms=" + ms + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    while (System.nanoTime() - end < 0) {
                        out.write(request);
                        out.flush();
                        readResponse(in);
                        done.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    errors.incrementAndGet();
                    System.err.println("cpu client: " + e);
                }
            }, "cpu-client-" + i);
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println("cpu_requests=" + done.get() + " cpu_errors=" + errors.get());
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body). */
    private static void readResponse(InputStream in) throws IOException {
        long length = -1;
        boolean chunked = false;
        String line = readLine(in);
        if (!line.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected status line: " + line);
        }
        while (!(line = readLine(in)).isEmpty()) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(readLine(in).trim(), 16)) > 0; ) {
                skip(in, size);
                readLine(in);
            }
            readLine(in);
        } else if (length >= 0) {
            skip(in, length);
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (long left = n; left > 0; left--) {
            if (in.read() < 0) {
                throw new IOException("connection closed in a response body");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed in a response");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
