package io.coio.examples.fair;

/**
 * The CPU-bound part of a request: computes without blocking or yielding for a given wall-clock time (like a
 * report, an image resize or a password hash would). Used by the fairness servers' {@code /cpu?ms=N}.
 */
public final class CpuWork {
    private static volatile long sink;

    private CpuWork() {
    }

    /** Computes for {@code millis} ms of wall-clock time; returns a value that depends on the work done. */
    public static long spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
        return x;
    }

    /** The {@code ms} query parameter of a {@code /cpu?ms=N} request (default 300, at most 10 s). */
    public static long millisOf(String query) {
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("ms=")) {
                    try {
                        return Math.max(0, Math.min(10_000, Long.parseLong(kv.substring(3))));
                    } catch (NumberFormatException e) {
                        return 300;
                    }
                }
            }
        }
        return 300;
    }
}
