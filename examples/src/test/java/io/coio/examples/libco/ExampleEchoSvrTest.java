package io.coio.examples.libco;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example_echosvr port: libco's output, a verified echo load, and its fixed pool of worker coroutines. */
class ExampleEchoSvrTest {

    @Test
    void servesAConcurrentLoadWithEveryByteVerified() throws Exception {
        Output out = new Output();
        ExampleEchoSvr svr = ExampleEchoSvr.start(out.stream, "127.0.0.1", 0, 40, 2);
        int port = svr.port();
        ExecutorService clients = Executors.newFixedThreadPool(40);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < 40; c++) {
                int seed = c;
                results.add(clients.submit(roundTrips(port, seed, 30)));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(240, TimeUnit.SECONDS);
            }
            assertEquals(40 * 30, total);
        } finally {
            clients.shutdownNow();
            svr.stop();
        }
        List<String> lines = out.lines();
        assertTrue(lines.get(0).matches("listen \\d+ 127\\.0\\.0\\.1:" + port), lines.get(0));
        assertEquals(2, lines.stream().filter("accept_routine"::equals).count(), lines.toString());
    }

    /** One connection, {@code rounds} round trips of up to 40 KiB (more than the worker's 16 KiB buffer), each verified. */
    private static Callable<Integer> roundTrips(int port, int seed, int rounds) {
        return () -> {
            Random random = new Random(seed);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 60_000);
                s.setSoTimeout(60_000);
                OutputStream o = s.getOutputStream();
                DataInputStream in = new DataInputStream(s.getInputStream());
                for (int r = 0; r < rounds; r++) {
                    byte[] sent = new byte[1 + random.nextInt(40 * 1024)];
                    random.nextBytes(sent);
                    o.write(sent);
                    byte[] back = new byte[sent.length];
                    in.readFully(back);
                    assertArrayEquals(sent, back, "connection " + seed + " round " + r);
                }
            }
            return rounds;
        };
    }

    @Test
    void connectionsBeyondTheWorkerPoolWaitUntilAWorkerIsFree() throws Exception {
        Output out = new Output();
        ExampleEchoSvr svr = ExampleEchoSvr.start(out.stream, "127.0.0.1", 0, 1, 1);
        try (Socket first = new Socket("127.0.0.1", svr.port()); Socket second = new Socket("127.0.0.1", svr.port())) {
            first.setSoTimeout(60_000);
            second.setSoTimeout(60_000);
            assertEquals('a', echo(first, 'a'));
            second.getOutputStream().write('b');
            // One worker coroutine: it serves the first connection; the accept coroutine finds the stack
            // empty and says so, as libco's does, and the second connection gets no answer meanwhile.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!out.lines().contains("empty") && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling the example's output; the assertion below bounds it
            }
            assertTrue(out.lines().contains("empty"), out.lines().toString());
            assertEquals(0, second.getInputStream().available());
            first.close(); // the worker sees EOF, closes, and goes back on the stack
            assertEquals('b', second.getInputStream().read());
        } finally {
            svr.stop();
        }
    }

    private static int echo(Socket s, char c) throws Exception {
        s.getOutputStream().write(c);
        InputStream in = s.getInputStream();
        return in.read();
    }

    @Test
    void printsLibcosUsageWithoutArguments() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                ExampleEchoSvr.class.getName(), "127.0.0.1");
        Process p = pb.redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(255, p.exitValue());
        assertEquals(Arrays.asList("Usage:", "example_echosvr [IP] [PORT] [TASK_COUNT] [PROCESS_COUNT]",
                "example_echosvr [IP] [PORT] [TASK_COUNT] [PROCESS_COUNT] -d   # daemonize mode"), text.lines().toList());
    }

    static String java() {
        return System.getProperty("java.home") + "/bin/java";
    }
}
