package io.coio.examples.load;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up time of a server, from outside: launches the server command, and measures the wall time from just
 * before the launch to its {@code listening on <port>} line and to the first answer on a fresh connection
 * (one echoed line for an echo server, a {@code 200} status line for {@code GET /hello} on the HTTP example).
 * Each repeat is a fresh process, stopped (SIGTERM, then SIGKILL) before the next; the medians are reported.
 * {@code run-bench.sh} runs it with and without {@code -javaagent} to show what the agent adds.
 *
 * <pre>
 *   java -cp coio-examples.jar io.coio.examples.load.StartupTime [--repeats N] [--http] -- java -cp ... EchoServer 0
 * </pre>
 * Prints one line per repeat and {@code startup: listening_ms=... first_response_ms=... repeats=N}; exit 1 if a
 * repeat failed (its stderr is shown). Single-threaded apart from the threads that drain the server's output.
 */
public final class StartupTime {

    private static final Pattern LISTENING = Pattern.compile("^listening on (\\d+)$");
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private StartupTime() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = 5;
        boolean http = false;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i++) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--http" -> http = true;
                default -> usage("unknown option " + args[i]);
            }
        }
        if (i + 1 >= args.length) {
            usage("no server command after --");
        }
        List<String> command = List.of(Arrays.copyOfRange(args, i + 1, args.length));
        double[] listening = new double[repeats];
        double[] firstResponse = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            double[] t = once(command, http);
            if (t == null) {
                System.exit(1);
            }
            listening[r] = t[0];
            firstResponse[r] = t[1];
            System.out.printf(Locale.ROOT, "run %d: listening after %.0f ms, first %s after %.0f ms%n",
                    r + 1, t[0], http ? "HTTP response" : "echo", t[1]);
        }
        System.out.printf(Locale.ROOT, "startup: listening_ms=%.0f first_response_ms=%.0f repeats=%d%n",
                median(listening), median(firstResponse), repeats);
    }

    private static void usage(String problem) {
        System.err.println("startup: " + problem);
        System.err.println("usage: StartupTime [--repeats N] [--http] -- <server command ...>");
        System.exit(2);
    }

    /** One launch: {listening ms, first response ms}, or null after printing why it failed. */
    private static double[] once(List<String> command, boolean http) throws InterruptedException {
        long t0 = System.nanoTime();
        Process server;
        try {
            server = new ProcessBuilder(command).start();
        } catch (IOException e) {
            System.err.println("startup: cannot start " + command + ": " + e.getMessage());
            return null;
        }
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread drainErr = Thread.ofPlatform().daemon().start(() -> drain(server.getErrorStream(), stderr));
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            int port = -1;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                Matcher m = LISTENING.matcher(line.strip());
                if (m.matches()) {
                    port = Integer.parseInt(m.group(1));
                    break;
                }
                if (System.nanoTime() - t0 > START_TIMEOUT_NANOS) {
                    break;
                }
            }
            long t1 = System.nanoTime();
            if (port < 0) {
                throw new IOException("the server printed no 'listening on <port>' line");
            }
            Thread.ofPlatform().daemon().start(() -> drain(server.getInputStream(), new ByteArrayOutputStream()));
            firstAnswer(port, http);
            long t2 = System.nanoTime();
            return new double[] {(t1 - t0) / 1e6, (t2 - t0) / 1e6};
        } catch (IOException e) {
            System.err.println("startup: " + command + ": " + e.getMessage());
            stop(server);
            drainErr.join(2000);
            System.err.println(stderr.toString(StandardCharsets.UTF_8));
            return null;
        } finally {
            stop(server);
        }
    }

    /** Connects and waits for the first answer: an echoed line, or an HTTP status line with 200. */
    private static void firstAnswer(int port, boolean http) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            s.setSoTimeout(30_000);
            byte[] request = (http ? "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" : "ping\n")
                    .getBytes(StandardCharsets.US_ASCII);
            OutputStream o = s.getOutputStream();
            o.write(request);
            o.flush();
            String expected = http ? "HTTP/1.1 200" : "ping\n";
            byte[] got = s.getInputStream().readNBytes(expected.length());
            String answer = new String(got, StandardCharsets.US_ASCII);
            if (!answer.equals(expected)) {
                throw new IOException("expected '" + expected.strip() + "' as the first answer, got '" + answer.strip() + "'");
            }
        }
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream into) {
        try {
            in.transferTo(into);
        } catch (IOException ignored) {
            // the server is gone
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

}
