package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.EchoChannelPoolApp;
import example.apps.EchoThreadPerConnectionApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.EchoLoad;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent changes how an app runs, never what it computes: the same echo apps return identical bytes
 * under coroutine mode, under {@code mode=off} and with no agent; under {@code mode=off} the app is
 * untouched (platform handler threads, nothing printed).
 */
@Timeout(180)
class ModeOffEquivalenceTest {
    static final int CONNECTIONS = 50;
    static final int ROUNDS = 10;

    record Run(byte[] transcript, List<String> handlers, List<String> stderr, String description) {}

    @ParameterizedTest(name = "{0}: identical bytes under coroutine mode, mode=off and without agent; mode=off leaves it untouched")
    @ValueSource(classes = {EchoThreadPerConnectionApp.class, EchoChannelPoolApp.class})
    void sameBytesInEveryMode(Class<?> app) {
        Run coroutine = run(app, b -> b.agent("carriers=1"));
        Run off = run(app, b -> b.agent("mode=off"));
        Run none = run(app, AgentJvm.Builder::noAgent);

        byte[] expected = EchoLoad.expectedTranscript(CONNECTIONS, ROUNDS);
        assertArrayEquals(expected, none.transcript(), "without agent" + none.description());
        assertArrayEquals(none.transcript(), off.transcript(), "mode=off vs no agent" + off.description());
        assertArrayEquals(none.transcript(), coroutine.transcript(), "coroutine mode vs no agent" + coroutine.description());

        // Coroutine mode really converted the handlers (else this comparison proves nothing).
        for (String h : coroutine.handlers()) {
            assertTrue(h.contains("virtual=true") && h.contains("@coio-carrier-0"), "coroutine mode handler: " + h);
        }
        assertTrue(coroutine.stderr().stream().anyMatch(l -> l.startsWith("coio: coroutine mode, ")),
                "coroutine mode startup line" + coroutine.description());

        // mode=off and no agent: platform handler threads, and mode=off prints nothing at all.
        for (Run r : List.of(off, none)) {
            assertEquals(5, r.handlers().size(), "handler report lines" + r.description());
            for (String h : r.handlers()) {
                assertTrue(h.contains("virtual=false") && !h.contains("coio-carrier"),
                        "handler thread must be an untouched platform thread: " + h + r.description());
            }
        }
        assertEquals(List.of(), off.stderr(), "mode=off must print nothing on stderr" + off.description());
    }

    private static Run run(Class<?> app, UnaryOperator<AgentJvm.Builder> config) {
        AgentJvm server = config.apply(AgentJvm.builder(app)).start();
        EchoLoad.Result result;
        try (server) {
            int port = Integer.parseInt(server.awaitStdout("^listening on (\\d+)$").group(1));
            result = EchoLoad.run(port, CONNECTIONS, ROUNDS, Duration.ofSeconds(60), () -> { });
            EchoLoad.assertAllEchoed(result, CONNECTIONS, ROUNDS);
            server.awaitStdout("^handler 5 ");
        }
        // Closed: the pumps have read every line the JVM printed.
        return new Run(result.transcript(), server.stdoutMatching("^handler \\d+ "), server.stderrLines(), server.describeState());
    }
}
