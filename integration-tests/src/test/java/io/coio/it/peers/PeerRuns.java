package io.coio.it.peers;

import io.coio.it.harness.AgentJvm;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs one real-peer scenario in the four {@link PeerMode}s (no agent first: it is the reference), prints one
 * report line per mode (OS thread peak, what was verified, seconds), and then fails with every problem of
 * every mode at once, so one red run shows the whole picture.
 *
 * <p>Checks common to all scenarios, beyond what the scenario itself asserts:
 * <ul>
 *   <li>clean output: no line matching {@link #TROUBLE} in an agent run that the no-agent run does not also
 *       have (compared with digits blanked, so ports, ids and timestamps do not matter);</li>
 *   <li>OS threads: when {@code threadsDrop} is set, each converting mode's peak must be under half the
 *       no-agent peak (the app's threads are coroutines on a few carriers).</li>
 * </ul>
 *
 * <p>Thread-ownership: one instance per test method, on the test thread.
 */
final class PeerRuns {
    /** Output lines that mean trouble (log levels of JUL, SLF4J/Jetty, Tomcat; stack traces; Jetty's stop). */
    static final Pattern TROUBLE = Pattern.compile("WARN|SEVERE|ERROR|Exception|Couldn't stop");

    /** What one run of the scenario measured; {@code app} is the finished app JVM (closed). */
    record Outcome(int peakOsThreads, String verified, AgentJvm app) {}

    /** One run of the scenario in one mode; throws (AssertionError) on any failed check. */
    interface Scenario {
        Outcome run(PeerMode mode) throws Exception;
    }

    private final String name;
    private final boolean threadsDrop;
    private final Map<PeerMode, Integer> peaks = new EnumMap<>(PeerMode.class);
    private final List<String> failures = new ArrayList<>();
    private Set<String> referenceTrouble = Set.of();

    private PeerRuns(String name, boolean threadsDrop) {
        this.name = name;
        this.threadsDrop = threadsDrop;
    }

    /** Runs {@code scenario} in every mode and fails with every problem found. */
    static void inEveryMode(String name, boolean threadsDrop, Scenario scenario) {
        PeerRuns runs = new PeerRuns(name, threadsDrop);
        for (PeerMode mode : PeerMode.values()) {
            runs.runOne(mode, scenario);
        }
        runs.checkThreads();
        if (!runs.failures.isEmpty()) {
            throw new AssertionError(name + ": " + runs.failures.size() + " problem(s):\n- "
                    + String.join("\n- ", runs.failures));
        }
    }

    private void runOne(PeerMode mode, Scenario scenario) {
        long t0 = System.nanoTime();
        Outcome o;
        try {
            o = scenario.run(mode);
        } catch (Throwable e) {
            report(mode, "FAILED: " + firstLine(e), t0);
            failures.add("[" + mode.label + "] " + e + (e instanceof AssertionError ? "" : stack(e)));
            return;
        }
        peaks.put(mode, o.peakOsThreads());
        report(mode, "peak OS threads " + o.peakOsThreads() + " | " + o.verified(), t0);
        Set<String> trouble = trouble(o.app());
        if (mode == PeerMode.NO_AGENT) {
            referenceTrouble = trouble;
            return;
        }
        Set<String> extra = new LinkedHashSet<>(trouble);
        extra.removeAll(referenceTrouble);
        if (!extra.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (String l : o.app().stdoutLines()) {
                if (extra.contains(normalize(l))) lines.add("stdout| " + l);
            }
            for (String l : o.app().stderrLines()) {
                if (extra.contains(normalize(l))) lines.add("stderr| " + l);
            }
            failures.add("[" + mode.label + "] output has " + lines.size() + " trouble line(s) the no-agent run does"
                    + " not have:\n    " + String.join("\n    ", lines.subList(0, Math.min(lines.size(), 20))));
        }
    }

    private void checkThreads() {
        Integer reference = peaks.get(PeerMode.NO_AGENT);
        if (!threadsDrop || reference == null) {
            return;
        }
        for (PeerMode mode : PeerMode.values()) {
            Integer p = peaks.get(mode);
            if (mode.converts() && p != null && p * 2 >= reference) {
                failures.add("[" + mode.label + "] peak OS threads " + p + " is not under half the no-agent peak "
                        + reference + ": the app's threads did not become coroutines");
            }
        }
    }

    private void report(PeerMode mode, String what, long t0) {
        System.out.printf("[peers] %-22s | %-11s | %5.1f s | %s%n", name, mode.label,
                (System.nanoTime() - t0) / 1e9, what);
    }

    private static Set<String> trouble(AgentJvm app) {
        Set<String> s = new LinkedHashSet<>();
        for (List<String> lines : List.of(app.stdoutLines(), app.stderrLines())) {
            for (String l : lines) {
                if (TROUBLE.matcher(l).find()) {
                    s.add(normalize(l));
                }
            }
        }
        return s;
    }

    /** The line with every digit run blanked (ports, pids, thread numbers, timestamps). */
    static String normalize(String line) {
        return line.replaceAll("\\d+", "#");
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }

    private static String stack(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement el : e.getStackTrace()) {
            b.append("\n      at ").append(el);
        }
        return b.toString();
    }
}
