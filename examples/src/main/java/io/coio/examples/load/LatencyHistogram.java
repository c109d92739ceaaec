package io.coio.examples.load;

/**
 * A fixed-size log-linear histogram of nanosecond latencies (the idea of HdrHistogram, in 50 lines):
 * values below 256 ns are exact; above, each power-of-two range is split into 128 buckets, so any
 * reported percentile is within 0.8% of the true value. Memory is constant however many samples.
 * Not thread-safe: each client thread owns one and they are merged at the end.
 */
final class LatencyHistogram {

    private static final int SUB_BUCKET_BITS = 7;               // 128 buckets per power of two
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int LINEAR_LIMIT = 2 * SUB_BUCKETS;    // 0..255 ns recorded exactly
    private static final int MAX_SHIFT = 63 - SUB_BUCKET_BITS;

    private final long[] counts = new long[LINEAR_LIMIT + MAX_SHIFT * SUB_BUCKETS];
    private long total;
    private long max;
    private long sum;

    void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[index(value)]++;
        total++;
        sum += value;
        max = Math.max(max, value);
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long maxNanos() {
        return max;
    }

    double meanNanos() {
        return total == 0 ? 0 : (double) sum / total;
    }

    /** The smallest recorded value (bucket midpoint) with at least {@code percentile}% of samples at or below it; 0 if empty. */
    long percentileNanos(double percentile) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, midpoint(i));
            }
        }
        return max;
    }

    /**
     * The histogram as one line of text ({@code total sum max index:count,...}, non-empty buckets only), so that a
     * load-tool process can send its latencies to the coordinator of a multi-process run ({@link #decode}).
     */
    String encode() {
        StringBuilder line = new StringBuilder().append(total).append(' ').append(sum).append(' ').append(max).append(' ');
        boolean first = true;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                line.append(first ? "" : ",").append(i).append(':').append(counts[i]);
                first = false;
            }
        }
        return line.append(first ? "-" : "").toString();
    }

    /** The histogram {@link #encode} wrote. @throws IllegalArgumentException if {@code line} is not one */
    static LatencyHistogram decode(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 4) {
            throw new IllegalArgumentException("not an encoded histogram: " + line);
        }
        LatencyHistogram h = new LatencyHistogram();
        h.total = Long.parseLong(f[0]);
        h.sum = Long.parseLong(f[1]);
        h.max = Long.parseLong(f[2]);
        if (!f[3].equals("-")) {
            for (String bucket : f[3].split(",")) {
                int colon = bucket.indexOf(':');
                h.counts[Integer.parseInt(bucket.substring(0, colon))] = Long.parseLong(bucket.substring(colon + 1));
            }
        }
        return h;
    }

    static int index(long value) {
        if (value < LINEAR_LIMIT) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BUCKET_BITS; // value >>> shift is in [128, 256)
        return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + (int) ((value >>> shift) - SUB_BUCKETS);
    }

    static long midpoint(int index) {
        if (index < LINEAR_LIMIT) {
            return index;
        }
        int shift = (index - LINEAR_LIMIT) / SUB_BUCKETS + 1;
        long low = ((long) (index - LINEAR_LIMIT) % SUB_BUCKETS + SUB_BUCKETS) << shift;
        return low + (1L << (shift - 1));
    }
}
