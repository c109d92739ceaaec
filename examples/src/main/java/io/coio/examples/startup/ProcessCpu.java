package io.coio.examples.startup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/**
 * CPU time a process has used so far: the sum over its live threads of Linux's scheduler statistics
 * ({@code /proc/<pid>/task/<tid>/schedstat}, nanoseconds on the CPU). Unlike wall-clock time it hardly grows when
 * other processes load the machine, which makes start-up costs comparable on a shared machine. Threads that have
 * already ended are not counted. -1 where there is no {@code /proc}.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** CPU milliseconds of process {@code pid}'s live threads, or -1. */
    static double millis(long pid) {
        Path tasks = Paths.get("/proc", Long.toString(pid), "task");
        long nanos = 0;
        try (Stream<Path> ts = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) ts::iterator) {
                try {
                    String s = new String(Files.readAllBytes(t.resolve("schedstat")), StandardCharsets.US_ASCII);
                    nanos += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (IOException | RuntimeException threadEnded) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return nanos / 1e6;
    }
}
