package io.coio.it.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The blocking-call reports on an app's stderr: {@code coio: blocking call <method> on thread <name>} + stack. */
final class DetectReports {
    static final Pattern HEADER = Pattern.compile("^coio: blocking call (.+) on thread (\\S+)$");

    /** One report: the method as named in the header, the thread, and its {@code at} frames. */
    record Report(String method, String thread, List<String> frames) {
        /** The first frame whose text contains {@code marker}, or null. */
        String frameContaining(String marker) {
            for (String f : frames) {
                if (f.contains(marker)) {
                    return f;
                }
            }
            return null;
        }

        /** The name of the first method of class {@code className} on the stack (the scenario), or null. */
        String firstMethodOf(String className) {
            Pattern p = Pattern.compile("^" + Pattern.quote(className) + "\\.([\\w$<>]+)\\(");
            for (String f : frames) {
                Matcher m = p.matcher(f);
                if (m.find()) {
                    return m.group(1);
                }
            }
            return null;
        }
    }

    private DetectReports() {
    }

    static List<Report> parse(List<String> stderr) {
        List<Report> reports = new ArrayList<>();
        for (int i = 0; i < stderr.size(); i++) {
            Matcher m = HEADER.matcher(stderr.get(i));
            if (!m.matches()) {
                continue;
            }
            List<String> frames = new ArrayList<>();
            while (i + 1 < stderr.size() && stderr.get(i + 1).startsWith("\tat ")) {
                frames.add(stderr.get(++i).substring("\tat ".length()));
            }
            reports.add(new Report(m.group(1), m.group(2), frames));
        }
        return reports;
    }
}
