package io.coio.examples;

import io.coio.examples.load.LoadResult;
import io.coio.examples.load.Loads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The benchmark's C anchor, {@code src/main/c/epoll_echo.c}, compiled with gcc as the bench script does: a real
 * echo for the load tool in both readiness modes, including echoes larger than the socket buffers (the path
 * that keeps an unwritten rest and waits for EPOLLOUT). Skipped where there is no gcc (./coio installs it).
 */
@Timeout(120)
class EpollEchoTest {

    @TempDir
    static Path dir;
    private Process server;

    private int start(String... args) throws Exception {
        assumeTrue(new ProcessBuilder("gcc", "--version").start().waitFor() == 0, "no gcc");
        Path binary = dir.resolve("epoll_echo");
        if (!Files.exists(binary)) {
            Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-o", binary.toString(), "src/main/c/epoll_echo.c")
                    .inheritIO().start();
            assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "epoll_echo.c did not compile");
        }
        String[] command = new String[args.length + 2];
        command[0] = binary.toString();
        command[1] = "0";
        System.arraycopy(args, 0, command, 2, args.length);
        server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("listening on "), "first line: " + line);
        return Integer.parseInt(line.substring("listening on ".length()).strip());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void levelTriggeredEchoesEveryByte() throws Exception {
        check(start());
    }

    @Test
    void edgeTriggeredEchoesEveryByte() throws Exception {
        check(start("--et"));
    }

    private static void check(int port) throws InterruptedException {
        LoadResult many = Loads.echo(port, 300, 20, Duration.ofSeconds(60));
        assertTrue(many.ok(), () -> "errors: " + many.firstErrors());
        assertEquals(300 * 20, many.roundTripsDone());
        // 4 MiB per round trip: far beyond the socket buffers, so writes come back short and resume on EPOLLOUT
        LoadResult large = Loads.echo(port, 4, 3, 4 << 20, Duration.ofSeconds(60));
        assertTrue(large.ok(), () -> "errors: " + large.firstErrors());
        assertEquals(4 * 3, large.roundTripsDone());
    }
}
