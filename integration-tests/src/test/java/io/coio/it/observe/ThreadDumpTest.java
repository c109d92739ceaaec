package io.coio.it.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.ObservedApp;
import io.coio.it.harness.AgentJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the JDK's tools show of a coroutine parked in a coio readiness wait.
 */
class ThreadDumpTest {
    @Test
    @DisplayName("a coroutine blocked reading a socket has a coio Waiter as park blocker, whose toString names fd, direction, deadline and state")
    void parkBlockerSaysWhatTheCoroutineWaitsFor() {
        AgentJvm app = AgentJvm.builder(ObservedApp.class).agent("carriers=2").args("blocked", 2, 2).start();
        try (app) {
            Matcher m = app.awaitStdout("^BLOCKER (.*)$");
            assertTrue(m.group(1).matches("coio readiness wait: fd=\\d+ direction=read deadline=in (5\\d|60)\\.\\d{3} s state=WAITING"),
                    m.group(1));
        }
    }

    @Test
    @DisplayName("jcmd Thread.dump_to_file -format=json: the blocked coroutine appears in its carrier's thread container (coio-carrier-N, child of <root>), virtual, with the coio Waiter as park blocker and the socket read on its stack")
    void jsonThreadDumpShowsTheWait(@TempDir Path dir) throws Exception {
        AgentJvm app = AgentJvm.builder(ObservedApp.class).agent("carriers=2").args("blocked", 2, 2).start();
        try (app) {
            app.awaitStdout("^BLOCKER ");
            Path dump = dir.resolve("threads.json");
            Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(app.pid()), "Thread.dump_to_file", "-format=json",
                    dump.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jcmd did not end");
            assertEquals(0, p.exitValue(), out);
            String json = Files.readString(dump);
            int at = json.indexOf("\"name\": \"quiet-reader\"");
            assertTrue(at > 0, json);
            String thread = json.substring(json.lastIndexOf('{', at), json.indexOf("]", at));
            assertTrue(thread.contains("\"virtual\": true"), thread);
            assertTrue(thread.contains("\"object\": \"io.coio.runtime.Waiter@"), thread);
            assertTrue(thread.contains("java.net.Socket$SocketInputStream.read"), thread);

            // grouped by carrier: the coroutine is listed in the container of its carrier, a child of <root>
            int container = json.lastIndexOf("\"container\": ", at);
            String header = json.substring(container, json.indexOf("\n", json.indexOf("\"parent\"", container)));
            assertTrue(header.matches("(?s)\"container\": \"coio-carrier-[01]\\\\?/jdk\\.internal\\.vm\\.SharedThreadContainer@\\p{XDigit}+\",\\s*"
                    + "\"parent\": \"<root>\",?"), header);
            for (String carrier : List.of("coio-carrier-0", "coio-carrier-1")) {
                assertTrue(json.contains("\"container\": \"" + carrier), "no container " + carrier + " in\n" + json);
            }
        }
    }
}
