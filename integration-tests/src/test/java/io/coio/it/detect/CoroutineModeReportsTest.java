package io.coio.it.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.detect.DetectReports.Report;
import io.coio.it.detect.apps.PinnedCoroutineApp;
import io.coio.it.harness.AgentJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Coroutine mode reports what blocks a carrier: by default a coroutine pinned in a class initializer (once per
 * call site, counted at exit); with {@code report=all} also file I/O on a coroutine; {@code report=none} nothing.
 * The app's coroutine sleeps three times inside a class initializer, then reads a file.
 */
class CoroutineModeReportsTest {
    static final Duration EXIT = Duration.ofSeconds(90);
    static final String PINNED = "java.lang.Thread.sleep (pinned: class initializer of "
            + PinnedCoroutineApp.class.getName() + "$SlowInit)";

    private static AgentJvm run(String options) {
        AgentJvm app = AgentJvm.builder(PinnedCoroutineApp.class).agent(options).start();
        try (app) {
            assertEquals(0, app.awaitExit(EXIT), app.describeState());
        }
        assertEquals(1, app.stdoutMatching("^task virtual=true$").size(), "the task ran as a coroutine" + app.describeState());
        assertEquals(1, app.stdoutMatching("^DONE 5$").size(), app.describeState());
        assertEquals(1, app.stderrMatching("^coio: coroutine mode, ").size(), app.describeState());
        return app;
    }

    @Test
    @DisplayName("default (report=pinned): the pinned sleep is reported once with its stack and counted 3x at exit; file I/O is not reported")
    void pinnedByDefault() {
        AgentJvm app = run("carriers=1");
        List<Report> reports = DetectReports.parse(app.stderrLines());
        assertEquals(1, reports.size(), app.describeState());
        Report r = reports.get(0);
        assertEquals(PINNED, r.method(), app.describeState());
        assertEquals("pool-1-thread-1", r.thread());
        assertTrue(r.frames().get(0).startsWith("java.base/java.lang.Thread.sleepNanos("), r.toString());
        assertNotNull(r.frameContaining(PinnedCoroutineApp.class.getName() + "$SlowInit.<clinit>("), r.toString());
        assertEquals(1, app.stderrMatching("^coio: blocking-call summary: 1 call site, 3 blocking calls$").size(),
                app.describeState());
        assertEquals(1, app.stderrMatching("^coio:   3x " + PINNED.replace(".", "\\.").replace("(", "\\(")
                .replace(")", "\\)").replace("$", "\\$") + " at ").size(), app.describeState());
    }

    @Test
    @DisplayName("report=all: also the file read made on the coroutine (it blocks the carrier) is reported")
    void reportAll() {
        AgentJvm app = run("carriers=1,report=all");
        List<String> methods = DetectReports.parse(app.stderrLines()).stream().map(Report::method).toList();
        assertEquals(List.of(PINNED, "java.nio.channels.FileChannel.read"), methods, app.describeState());
    }

    @Test
    @DisplayName("report=none: nothing but the startup line")
    void reportNone() {
        AgentJvm app = run("carriers=1,report=none");
        assertEquals(List.of(), DetectReports.parse(app.stderrLines()), app.describeState());
        assertEquals(1, app.stderrMatching("coio").size(), app.describeState());
    }
}
