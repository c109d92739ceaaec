package io.coio.it.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ON/RESULT/ELAPSED/NOTPARKED} lines of a scenario app's run (see {@code SocketSemanticsApp}),
 * by scenario name.
 */
public final class ScenarioOutput {
    private final Map<String, String> on = new HashMap<>();
    private final Map<String, String> results = new HashMap<>();
    private final Map<String, List<Long>> elapsed = new HashMap<>();
    private final Map<String, String> notParked = new HashMap<>();
    private final String description;

    public ScenarioOutput(List<String> stdout, String description) {
        this.description = description;
        for (String line : stdout) {
            String[] p = line.split(" ", 3);
            if (p.length < 2) {
                continue;
            }
            String rest = p.length == 3 ? p[2] : "";
            switch (p[0]) {
                case "ON" -> on.put(p[1], rest);
                case "RESULT" -> results.putIfAbsent(p[1], rest);
                case "ELAPSED" -> elapsed.computeIfAbsent(p[1], k -> new ArrayList<>()).add(Long.parseLong(rest.trim()));
                case "NOTPARKED" -> notParked.put(p[1], rest);
                default -> { }
            }
        }
    }

    /** The RESULT of {@code scenario}; fails with the app's whole output if it printed none. */
    public String result(String scenario) {
        String r = results.get(scenario);
        if (r == null) {
            throw new AssertionError("no RESULT line for scenario " + scenario + description);
        }
        return r;
    }

    /** The thread description of {@code scenario} ("virtual=... coio=..."). */
    public String on(String scenario) {
        String r = on.get(scenario);
        if (r == null) {
            throw new AssertionError("no ON line for scenario " + scenario + description);
        }
        return r;
    }

    public List<Long> elapsed(String scenario) {
        List<Long> e = elapsed.get(scenario);
        if (e == null || e.isEmpty()) {
            throw new AssertionError("no ELAPSED line for scenario " + scenario + description);
        }
        return e;
    }

    /** Why the scenario's thread was never seen parked, or null if it was. */
    public String notParked(String scenario) {
        return notParked.get(scenario);
    }

    /** The app's command and full output, for failure messages. */
    public String description() {
        return description;
    }
}
