package io.coio.it.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.HelloApp;
import example.logging.StdoutLoggerFinder;
import io.coio.it.detect.apps.BlockingCallsApp;
import io.coio.it.harness.AgentJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * coio's messages go to the app's logging backend ({@code System.Logger} {@code io.coio}) when it has one, and to
 * stderr, one line as before, when it has none. The backend here is {@link StdoutLoggerFinder}, registered by a
 * service file that only these JVMs get on their class path.
 */
class LoggingTest {
    static final Duration EXIT = Duration.ofSeconds(90);

    static String backend(Path dir) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("java.lang.System$LoggerFinder"), StdoutLoggerFinder.class.getName() + "\n");
        return dir.toString();
    }

    static AgentJvm run(AgentJvm.Builder b) {
        AgentJvm app = b.start();
        try (app) {
            app.awaitExit(EXIT);
        }
        return app;
    }

    @Test
    @DisplayName("with a System.LoggerFinder backend: the start-up line and the stats=true lines are logged to io.coio at INFO (without the 'coio: ' prefix), nothing of coio's on stderr")
    void withABackendMessagesGoToIt(@TempDir Path dir) throws IOException {
        AgentJvm app = run(AgentJvm.builder(HelloApp.class).addClasspath(backend(dir)).agent("carriers=1,stats=true"));
        assertEquals(List.of(), app.stderrMatching("^coio"), app.describeState());
        List<String> logged = app.stdoutMatching("^LOGGED io\\.coio ");
        assertTrue(logged.get(0).matches("LOGGED io\\.coio INFO coroutine mode, 1 carrier, epoll readiness, Java .*"), logged.toString());
        assertEquals(1, app.stdoutMatching("^LOGGED io\\.coio INFO coio stats: carrier=0 started=\\d+ ").size(), app.describeState());
        assertEquals(1, app.stdoutMatching("^worker virtual=true$").size(), app.describeState());
    }

    @Test
    @DisplayName("with the backend and quiet=true: no start-up line anywhere; with coio.log=stderr: the usual stderr line, nothing logged")
    void quietStaysQuietAndStderrCanBeChosen(@TempDir Path dir) throws IOException {
        String cp = backend(dir);
        AgentJvm quiet = run(AgentJvm.builder(HelloApp.class).addClasspath(cp).agent("carriers=1,quiet=true"));
        assertEquals(List.of(), quiet.stdoutMatching("^LOGGED io\\.coio "), quiet.describeState());
        assertEquals(List.of(), quiet.stderrMatching("^coio"), quiet.describeState());
        assertEquals(1, quiet.stdoutMatching("^worker virtual=true$").size(), quiet.describeState());

        AgentJvm stderr = run(AgentJvm.builder(HelloApp.class).addClasspath(cp).agent("carriers=1")
                .jvmArg("-Dcoio.log=stderr"));
        assertEquals(List.of(), stderr.stdoutMatching("^LOGGED io\\.coio "), stderr.describeState());
        assertEquals(1, stderr.stderrMatching("^coio: coroutine mode, 1 carrier, epoll readiness, Java ").size(), stderr.describeState());
    }

    @Test
    @DisplayName("detect mode with the backend: a blocking-call report (with its stack) is one WARNING message of io.coio; a bad option is an ERROR")
    void detectReportsAndErrorsAreLogged(@TempDir Path dir) throws IOException {
        String cp = backend(dir);
        AgentJvm app = run(AgentJvm.builder(BlockingCallsApp.class).addClasspath(cp).addClasspath(AgentJvm.detectApiJar().toString())
                .agent("mode=detect,nonblocking=evloop-.*").args("evloop-1=sleep"));
        assertEquals(List.of(), app.stderrMatching("^coio"), app.describeState());
        assertEquals(1, app.stdoutMatching("^LOGGED io\\.coio WARNING blocking call java\\.lang\\.Thread\\.sleep on thread evloop-1$").size(),
                app.describeState());
        assertTrue(app.stdoutMatching("^LOGGED io\\.coio WARNING \tat java\\.base/java\\.lang\\.Thread\\.sleep").size() >= 1, app.describeState());

        AgentJvm bad = run(AgentJvm.builder(HelloApp.class).addClasspath(cp).agent("carriers=abc"));
        assertEquals(1, bad.stdoutMatching("^LOGGED io\\.coio ERROR bad agent option 'carriers=abc': .* The app runs without coio\\.$").size(),
                bad.describeState());
    }
}
