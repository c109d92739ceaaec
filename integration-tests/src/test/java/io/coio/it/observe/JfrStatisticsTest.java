package io.coio.it.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.ObservedApp;
import io.coio.it.harness.AgentJvm;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The periodic JFR event {@code coio.CarrierStatistics}, as an operator records it: {@code -XX:StartFlightRecording}
 * with the default settings, then {@code jfr print} and {@link RecordingFile} on the file.
 */
class JfrStatisticsTest {
    @Test
    @DisplayName("-XX:StartFlightRecording: the recording holds coio.CarrierStatistics events (category coio) for carriers 0 and 1 with the counters as fields, parks counted; jfr print shows them")
    void recordingHasCarrierStatistics(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("app.jfr");
        AgentJvm app = AgentJvm.builder(ObservedApp.class).agent("carriers=2")
                .jvmArg("-XX:StartFlightRecording:filename=" + recording)
                .args("jfr", 10, 10).start();
        try (app) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(120)), app.describeState());
        }
        assertEquals(1, app.stdoutMatching("^SEEN$").size(), app.describeState());

        List<RecordedEvent> events = RecordingFile.readAllEvents(recording).stream()
                .filter(e -> e.getEventType().getName().equals("coio.CarrierStatistics")).toList();
        assertTrue(!events.isEmpty(), "no coio.CarrierStatistics events in " + recording);
        Set<Integer> carriers = new TreeSet<>();
        for (RecordedEvent e : events) {
            assertEquals(List.of("coio"), e.getEventType().getCategoryNames());
            carriers.add(e.getInt("carrier"));
            for (String f : List.of("started", "live", "parks", "wakeups", "epollWaits", "pinnedFallbacks", "runQueue")) {
                assertTrue(e.hasField(f), "field " + f + " missing in " + e);
            }
        }
        assertEquals(Set.of(0, 1), carriers);
        assertTrue(events.stream().anyMatch(e -> e.getLong("parks") > 0 && e.getLong("started") > 0), events.toString());

        Path jfr = Paths.get(System.getProperty("java.home"), "bin", "jfr");
        Process print = new ProcessBuilder(jfr.toString(), "print", "--events", "coio.CarrierStatistics", recording.toString())
                .redirectErrorStream(true).start();
        String out = new String(print.getInputStream().readAllBytes());
        assertTrue(print.waitFor(60, TimeUnit.SECONDS), "jfr print did not end");
        assertEquals(0, print.exitValue(), out);
        assertTrue(out.contains("coio.CarrierStatistics {") && out.contains("  carrier = 1") && out.contains("  parks = "), out);
    }
}
