package io.coio.examples.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches the server process from outside, through {@code /proc/PID/status} (OS threads, RSS) and
 * {@code jcmd} (heap used after a full GC). A background thread samples the thread count every
 * 100 ms so the reported maximum includes short peaks. Values are -1 when unknown (no pid, no /proc,
 * process gone). Thread-safe.
 */
final class ServerProbe implements AutoCloseable {

    static final int USER_HZ = 100;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)([KMG])");

    private final long pid;
    private final AtomicInteger maxThreads = new AtomicInteger(-1);
    private final Thread sampler;

    private ServerProbe(long pid) {
        this(pid, true);
    }

    private ServerProbe(long pid, boolean sampleThreads) {
        this.pid = pid;
        if (pid > 0 && sampleThreads) {
            sampler = Thread.ofPlatform().daemon().name("server-probe").start(this::sampleLoop);
        } else {
            sampler = null;
        }
    }

    /** A probe of this process itself, without the thread sampler: for the load tool's own CPU time. */
    static ServerProbe self() {
        return new ServerProbe(ProcessHandle.current().pid(), false);
    }

    /** A probe of process {@code pid}; {@code pid <= 0} gives a probe that reports nothing. */
    static ServerProbe of(long pid) {
        return new ServerProbe(pid);
    }

    boolean enabled() {
        return pid > 0;
    }

    long pid() {
        return pid;
    }

    /** Current OS thread count (the {@code Threads:} line), also folded into {@link #maxThreads()}. */
    int threads() {
        int threads = (int) statusField("Threads:");
        if (threads >= 0) {
            maxThreads.accumulateAndGet(threads, Math::max);
        }
        return threads;
    }

    int maxThreads() {
        return maxThreads.get();
    }

    /**
     * CPU time the server process has used so far, user + system, in microseconds, from fields 14 and 15 of
     * {@code /proc/PID/stat} (clock ticks of {@value #USER_HZ} Hz, Linux's fixed USER_HZ); -1 if unknown.
     * Unlike throughput, CPU per round trip hardly depends on what else competes for the machine's cores.
     */
    long cpuMicros() {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may contain spaces: count fields after it.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
            return ticks * (1_000_000 / USER_HZ);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size in KiB (the {@code VmRSS:} line). */
    long rssKib() {
        return statusField("VmRSS:");
    }

    /**
     * Runs {@code jcmd PID GC.run} then {@code jcmd PID GC.heap_info} and returns the heap used in
     * KiB after that full collection, i.e. live data only; -1 (with a note on stderr) if jcmd fails.
     */
    long heapUsedAfterGcKib() {
        if (pid <= 0) {
            return -1;
        }
        try {
            jcmd("GC.run");
            return parseHeapUsedKib(jcmd("GC.heap_info"));
        } catch (IOException e) {
            System.err.println("load: cannot measure the server heap with jcmd: " + e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Sums the top-level {@code used N[KMG]} figures of {@code GC.heap_info} (one line for G1 and
     * ZGC, young + old for Serial/Parallel) up to the Metaspace line, which is not heap.
     */
    static long parseHeapUsedKib(String heapInfo) {
        long kib = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.contains("Metaspace")) {
                break;
            }
            if (line.contains("%")) {
                continue; // "eden space 4416K,  12% used": a sub-space of a generation already counted
            }
            Matcher m = HEAP_USED.matcher(line);
            if (m.find()) {
                long n = Long.parseLong(m.group(1));
                kib += switch (m.group(2)) {
                    case "G" -> n << 20;
                    case "M" -> n << 10;
                    default -> n;
                };
                found = true;
            }
        }
        return found ? kib : -1;
    }

    /** Runs {@code jcmd PID command...} and returns its output. @throws IOException if it fails or times out */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(jcmdPath(), Long.toString(pid)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd " + String.join(" ", command) + " timed out");
        }
        if (process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + String.join(" ", command) + " exited " + process.exitValue() + ": " + output.strip());
        }
        return output;
    }

    /** The server's own JDK's jcmd if we can see it (attach works best with a matching JDK), else ours, else PATH's. */
    private String jcmdPath() {
        Optional<Path> servers = ProcessHandle.of(pid)
                .flatMap(p -> p.info().command())
                .map(java -> Path.of(java).resolveSibling("jcmd"));
        if (servers.isPresent() && Files.isExecutable(servers.get())) {
            return servers.get().toString();
        }
        Path ours = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(ours) ? ours.toString() : "jcmd";
    }

    /** The number in a {@code Name:  123 kB}-style line of /proc/PID/status, or -1. */
    private long statusField(String name) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process exited or /proc is unavailable: report "unknown".
        }
        return -1;
    }

    private void sampleLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            threads();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.interrupt();
        }
    }
}
