package io.coio.it.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code coio stats: carrier=...} line, as the agent prints it at exit with {@code stats=true} (one per
 * carrier, on stderr): how a test proves which coio mechanism served the app, not only that it was served.
 *
 * <p>Immutable; any thread.
 */
public record CarrierStatsLine(int carrier, long started, long live, long parks, long wakeups, long epollWaits,
                               long pinnedFallbacks, long handOffs, String line) {
    /** The counters of hand-offs of the carrier's loop to another OS thread, one per cause. */
    private static final List<String> HAND_OFFS = List.of("pinnedFallbacks", "pinnedWaitHandOffs", "fileHandOffs",
            "dnsHandOffs", "blockerHandOffs", "watchdogHandOffs");

    private static final String PREFIX = "coio stats: ";

    /**
     * Parses one line of {@code key=value} counters; fails the test if it is not a stats line or lacks one of
     * the counters above (counters added later are accepted and ignored here).
     */
    public static CarrierStatsLine parse(String line) {
        if (!line.startsWith(PREFIX)) {
            throw new AssertionError("not a coio stats line: " + line);
        }
        Map<String, Long> v = new HashMap<>();
        for (String token : line.substring(PREFIX.length()).trim().split(" +")) {
            int eq = token.indexOf('=');
            try {
                v.put(token.substring(0, eq), Long.parseLong(token.substring(eq + 1)));
            } catch (RuntimeException e) {
                throw new AssertionError("not a key=number counter: '" + token + "' in " + line, e);
            }
        }
        for (String key : List.of("carrier", "started", "live", "parks", "wakeups", "epollWaits", "pinnedFallbacks")) {
            if (!v.containsKey(key)) {
                throw new AssertionError("coio stats line without " + key + ": " + line);
            }
        }
        long handOffs = HAND_OFFS.stream().mapToLong(k -> v.getOrDefault(k, 0L)).sum();
        return new CarrierStatsLine(Math.toIntExact(v.get("carrier")), v.get("started"), v.get("live"), v.get("parks"),
                v.get("wakeups"), v.get("epollWaits"), v.get("pinnedFallbacks"), handOffs, line);
    }

    /**
     * The stats lines an app that has exited printed, one per carrier; fails (with everything the app printed)
     * unless there are exactly {@code carriers} of them.
     */
    public static List<CarrierStatsLine> of(AgentJvm exited, int carriers) {
        List<CarrierStatsLine> out = new ArrayList<>();
        for (String l : exited.stderrMatching("^coio stats: ")) {
            out.add(parse(l));
        }
        if (out.size() != carriers) {
            throw new AssertionError("expected " + carriers + " coio stats lines (stats=true prints one per carrier at"
                    + " exit), got " + out.size() + exited.describeState());
        }
        return out;
    }

    /** Any counter of the line by name (e.g. {@code skippedSyscalls}); fails if the line has none of that name. */
    public long counter(String key) {
        for (String token : line.substring(PREFIX.length()).trim().split(" +")) {
            if (token.startsWith(key + "=")) {
                return Long.parseLong(token.substring(key.length() + 1));
            }
        }
        throw new AssertionError("coio stats line without " + key + ": " + line);
    }

    /** The sum of one counter over all carriers. */
    public static long total(List<CarrierStatsLine> lines, java.util.function.ToLongFunction<CarrierStatsLine> f) {
        return lines.stream().mapToLong(f).sum();
    }
}
