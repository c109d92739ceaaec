package io.coio.it.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code coio stats: carrier=...} line, as the agent prints it at exit with {@code stats=true} (one per
 * carrier, on stderr): how a test proves which coio mechanism served the app, not only that it was served.
 *
 * <p>Immutable; any thread.
 */
public record CarrierStatsLine(int carrier, long started, long live, long parks, long wakeups, long epollWaits,
                               long pinnedFallbacks, String line) {
    private static final Pattern FORMAT = Pattern.compile("^coio stats: carrier=(\\d+) started=(\\d+) live=(\\d+)"
            + " parks=(\\d+) wakeups=(\\d+) epollWaits=(\\d+) pinnedFallbacks=(\\d+)$");

    /** Parses one line; fails the test if it is not in the agent's format. */
    public static CarrierStatsLine parse(String line) {
        Matcher m = FORMAT.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not a coio stats line in the documented format: " + line);
        }
        return new CarrierStatsLine(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5)),
                Long.parseLong(m.group(6)), Long.parseLong(m.group(7)), line);
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

    /** The sum of one counter over all carriers. */
    public static long total(List<CarrierStatsLine> lines, java.util.function.ToLongFunction<CarrierStatsLine> f) {
        return lines.stream().mapToLong(f).sum();
    }
}
