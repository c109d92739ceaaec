package io.coio.it.detect.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * For coroutine mode: a task on a pool worker (the agent converts {@code ThreadPoolExecutor} workers into
 * coroutines, whoever submits) first initialises {@link SlowInit}, whose static initializer sleeps three
 * times at one call site (a coroutine inside a class initializer cannot unmount: it pins its carrier), then
 * reads a file with {@code Files.readAllBytes} (file I/O blocks the carrier too, but is only reported with
 * {@code report=all}). Prints {@code task virtual=<b>}, {@code DONE <file length>}, {@code FINISHED}. No coio
 * imports.
 */
public final class PinnedCoroutineApp {
    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("coio-pinned", ".txt");
        Files.writeString(file, "hello");
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            int length = pool.submit(() -> {
                System.out.println("task virtual=" + example.apps.JvmThread.current().isVirtual());
                System.out.println("init " + SlowInit.VALUE);
                return Files.readAllBytes(file).length;
            }).get(60, TimeUnit.SECONDS);
            System.out.println("DONE " + length);
        } finally {
            pool.shutdown();
            Files.delete(file);
        }
        System.out.println("FINISHED");
    }

    static final class SlowInit {
        static final String VALUE;

        static {
            for (int i = 0; i < 3; i++) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            VALUE = "ready";
        }

        private SlowInit() {
        }
    }
}
