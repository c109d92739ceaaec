package io.coio.it.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} for one test class (Debian package {@code redis-server}, installed if
 * missing): loopback only, a free port, no persistence (no RDB snapshots, no AOF), its working directory a
 * temp dir; {@link #close()} kills it and deletes the directory.
 *
 * <p>Thread-ownership: the test thread that starts it also closes it; one daemon thread reads its log.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;
    private final StringBuilder log = new StringBuilder(); // guarded by itself

    private RedisServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Installs redis-server if needed and starts it; returns once it accepts connections. */
    public static RedisServer start() {
        Path exe = Services.require("redis-server", "redis-server");
        int port = Services.freeLoopbackPort();
        Path dir;
        Process p;
        try {
            dir = Files.createTempDirectory("coio-it-redis");
            p = new ProcessBuilder(List.of(exe.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                    "--maxclients", "1000", "--loglevel", "notice"))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + exe, e);
        }
        RedisServer r = new RedisServer(p, dir, port);
        try {
            r.awaitReady();
            System.out.println("[services] redis-server on 127.0.0.1:" + port);
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void awaitReady() {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                        log.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "redis-log-" + port);
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (log) {
            while (log.indexOf("Ready to accept connections") < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new IllegalStateException("redis-server did not get ready on port " + port + ":\n" + log);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(log, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for redis-server");
                }
            }
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Services.deleteTree(dir);
        }
    }
}
