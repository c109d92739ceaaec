package io.coio.examples.startup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * CPU time a process has used so far, user plus system, all its threads including those that have ended: fields
 * {@code utime} and {@code stime} of Linux's {@code /proc/<pid>/stat}, in clock ticks (10 ms each at the usual
 * {@code USER_HZ} of 100). Unlike wall-clock time it hardly grows when other processes load the machine, which makes
 * start-up costs comparable on a shared machine. -1 where there is no {@code /proc}.
 */
final class ProcessCpu {
    /** Linux's USER_HZ: the unit of utime/stime (100 on every common configuration). */
    private static final int TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** CPU milliseconds of process {@code pid}, or -1. */
    static double millis(long pid) {
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc", Long.toString(pid), "stat")),
                    StandardCharsets.US_ASCII);
            // the command name (field 2) is in parentheses and may contain spaces: count fields after its ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
            return ticks * 1000.0 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
