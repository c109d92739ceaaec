package io.coio.nativedemo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The libpq demo as a test: a real PostgreSQL (started by pg.sh, installed with apt if missing) and the demo
 * in a forked JVM. Promise: 1,000 coroutines on 2 carriers run libpq queries through coio, every answer
 * checked, on a few OS threads, with libpq's waits parked on the carriers (not pinned).
 */
class PqDemoIT {
    private static Path pgDir;
    private static int port;

    @BeforeAll
    static void startPostgres() throws Exception {
        pgDir = Files.createTempDirectory("coio-pg-it");
        Files.delete(pgDir); // pg.sh creates it (owned by the postgres user)
        Result r = exec(List.of("bash", System.getProperty("coio.nativedemo.pgsh"), "start", pgDir.toString()), 300);
        assertEquals(0, r.exit, "pg.sh start failed:\n" + r.output);
        port = Integer.parseInt(Files.readString(pgDir.resolve("port")).trim());
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pgDir != null) {
            exec(List.of("bash", System.getProperty("coio.nativedemo.pgsh"), "stop", pgDir.toString()), 120);
        }
    }

    @Test
    void thousandCoroutinesOnTwoCarriersRunLibpqQueriesOnFewOsThreads() throws Exception {
        Map<String, String> line = demo("--mode", "coio", "--tasks", "1000", "--queries", "1", "--carriers", "2");
        assertEquals("1000", line.get("coroutines"));
        assertEquals("1000", line.get("queries"), "every query answered and its answer checked");
        assertEquals("0", line.get("errors"));
        assertTrue(Integer.parseInt(line.get("os_threads")) < 100, "os_threads=" + line.get("os_threads"));
        // Mechanism: each PQexec waited for pg_sleep's answer at least once, parked on its carrier's epoll.
        assertTrue(Long.parseLong(line.get("carrier_waits")) >= 1000, "carrier_waits=" + line.get("carrier_waits"));
        assertEquals("0", line.get("blocking_waits"));
        assertEquals("0", line.get("pinned_fallbacks"));
        // Other coroutines of the carriers (one ticker each) ran while queries were waiting inside libpq.
        assertTrue(Long.parseLong(line.get("ticks_during_queries")) > 0, "the carriers ran nothing else meanwhile");
    }

    /** Runs the demo jar in a fresh JVM; returns its summary line as key=value pairs (exit status 0 required). */
    private static Map<String, String> demo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "-jar", System.getProperty("coio.nativedemo.jar"), "--port", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Result r = exec(cmd, 600);
        assertEquals(0, r.exit, "demo failed:\n" + r.output);
        String last = r.output.lines().filter(l -> l.startsWith("mode=")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no summary line:\n" + r.output));
        Map<String, String> m = new HashMap<>();
        for (String kv : last.split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        System.out.println(last);
        return m;
    }

    private record Result(int exit, String output) {}

    private static Result exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append(e);
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(10_000);
            throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s:\n" + out);
        }
        reader.join(10_000);
        return new Result(p.exitValue(), out.toString());
    }
}
