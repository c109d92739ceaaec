package io.coio.it.api;

import io.coio.api.Coroutine;
import io.coio.examples.libco.Libco;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.EchoLoad;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.regex.Matcher;

/** libco's example_echosvr port run as `./coio run` runs it: under the agent, with libco's arguments. */
@Timeout(300)
class LibcoExamplesUnderAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    @DisplayName("example_echosvr 127.0.0.1 0 150 2 under the agent: 200 connections open at once, 10 verified round trips each")
    void echoServerPortServesAVerifiedLoad() {
        try (AgentJvm jvm = AgentJvm.builder(Libco.class).agent("carriers=2")
                .addClasspath(AgentJvm.classpathEntryOf(Coroutine.class))
                .addClasspath(AgentJvm.classpathEntryOf(Libco.class))
                .args("example_echosvr", "127.0.0.1", 0, 150, 2).start()) {
            Matcher m = jvm.awaitLine(AgentJvm.Stream.STDOUT, "^listen \\d+ 127\\.0\\.0\\.1:(\\d+)$", WAIT);
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^accept_routine$", WAIT);
            int port = Integer.parseInt(m.group(1));
            EchoLoad.Result result = EchoLoad.run(port, 200, 10, WAIT, () -> { });
            EchoLoad.assertAllEchoed(result, 200, 10);
        }
    }
}
