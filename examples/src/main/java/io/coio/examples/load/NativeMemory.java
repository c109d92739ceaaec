package io.coio.examples.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The server's native memory growth from the JVM's Native Memory Tracking ({@code --nmt}; the server runs with
 * {@code -XX:NativeMemoryTracking=summary}): the first {@link #sample} takes {@code jcmd PID VM.native_memory
 * baseline}, the second reads {@code summary.diff} against it. "Native" is the committed growth of every NMT
 * category except the Java heap (heap is measured separately, as live data after a full GC). NMT sees what the
 * JVM allocates (thread stacks, metaspace, code, GC structures, NIO direct buffers and {@code Unsafe} memory as
 * "Other"); memory that JNI libraries {@code malloc} themselves (Netty's native epoll transport) is not in it.
 * Used by the load tool's main thread only.
 */
final class NativeMemory {

    /** One NMT category's committed growth in KiB. */
    record Category(String name, long committedDeltaKib) {
    }

    /** The diff against the baseline: total and Java-heap committed growth and every category's growth. */
    record Diff(long totalKib, long heapKib, List<Category> categories) {
        /** Committed growth outside the Java heap. */
        long nativeKib() {
            return totalKib - heapKib;
        }

        /** The {@code n} categories (Java heap excluded) that grew most, e.g. {@code "Thread +812, Other +96"}. */
        String largest(int n) {
            return categories.stream()
                    .filter(c -> !c.name().equals("Java Heap"))
                    .sorted(Comparator.comparingLong((Category c) -> -Math.abs(c.committedDeltaKib())))
                    .limit(n)
                    .map(c -> String.format(Locale.ROOT, "%s %+d KiB", c.name(), c.committedDeltaKib()))
                    .collect(Collectors.joining(", "));
        }
    }

    private static final Pattern TOTAL = Pattern.compile("^Total: reserved=\\d+KB(?: [+-]\\d+KB)?, committed=\\d+KB(?: ([+-]\\d+)KB)?");
    private static final Pattern CATEGORY = Pattern.compile(
            "^-\\s+(.+?) \\(reserved=\\d+KB(?: [+-]\\d+KB)?, committed=\\d+KB(?: ([+-]\\d+)KB)?");

    private final ServerProbe probe;
    private boolean baselineTaken;

    NativeMemory(ServerProbe probe) {
        this.probe = probe;
    }

    /** First call: takes the baseline, returns a zero diff. Later calls: the diff. Null (with a note) if NMT fails. */
    Diff sample() {
        try {
            if (!baselineTaken) {
                String out = probe.jcmd("VM.native_memory", "baseline");
                if (!out.contains("Baseline taken") && !out.contains("Baseline succeeded")) {
                    throw new IOException("no baseline: " + out.strip());
                }
                baselineTaken = true;
                return new Diff(0, 0, List.of());
            }
            return parse(probe.jcmd("VM.native_memory", "summary.diff", "scale=KB"));
        } catch (IOException e) {
            System.err.println("load: no native memory figure (is the server running with -XX:NativeMemoryTracking=summary?): "
                    + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Parses {@code VM.native_memory summary.diff scale=KB}. @throws IOException if it has no Total line */
    static Diff parse(String summaryDiff) throws IOException {
        Long total = null;
        long heap = 0;
        List<Category> categories = new ArrayList<>();
        for (String line : summaryDiff.split("\n")) {
            String trimmed = line.strip();
            Matcher t = TOTAL.matcher(trimmed);
            if (t.find()) {
                total = delta(t.group(1));
                continue;
            }
            Matcher c = CATEGORY.matcher(trimmed);
            if (c.find()) {
                Category category = new Category(c.group(1).strip(), delta(c.group(2)));
                categories.add(category);
                if (category.name().equals("Java Heap")) {
                    heap = category.committedDeltaKib();
                }
            }
        }
        if (total == null) {
            throw new IOException("no 'Total:' line in: " + summaryDiff.strip());
        }
        return new Diff(total, heap, categories);
    }

    private static long delta(String signed) {
        return signed == null ? 0 : Long.parseLong(signed);
    }
}
