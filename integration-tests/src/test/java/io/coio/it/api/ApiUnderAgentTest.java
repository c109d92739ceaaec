package io.coio.it.api;

import io.coio.api.Coroutine;
import io.coio.it.harness.AgentJvm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** coio's API (libco's model) in JVMs with the agent: hooked I/O yields, hook switch, sharing carriers, pinned hand-off. */
@Timeout(300)
class ApiUnderAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static AgentJvm.Builder app(String agentOptions, Object... args) {
        return AgentJvm.builder(LibcoModelApp.class).agent(agentOptions)
                .addClasspath(AgentJvm.classpathEntryOf(Coroutine.class)).args(args);
    }

    @Test
    @DisplayName("a blocking java.net.Socket read in a coroutine yields to its resumer (main or a converted thread) and its event loop continues it")
    void hookedBlockingReadYieldsToTheResumer() {
        try (AgentJvm jvm = app("carriers=1", "hooked-io").start()) {
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^hooked-io: main resume returned=null state=WAITING$", WAIT);
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^hooked-io: main read=42$", WAIT);
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^hooked-io: converted virtual=true state=WAITING read=43$", WAIT);
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describeState());
        }
    }

    @Test
    @DisplayName("with hooks off the same read blocks the thread running the coroutine (resume returns only when it ended), reported once and counted")
    void hooksOffBlocksTheCarrier() {
        try (AgentJvm jvm = app("carriers=1", "hooks-off").start()) {
            jvm.awaitLine(AgentJvm.Stream.STDOUT,
                    "^hooks-off: state-after-resume=DONE read=7 hooks-before=true hooks-after=false blocking-waits=1$", WAIT);
            jvm.awaitLine(AgentJvm.Stream.STDERR, "coroutine 'unhooked' has its I/O hooks off \\(Coroutine.disableHooks\\).*blocks carrier thread", WAIT);
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describeState());
        }
    }

    @Test
    @DisplayName("a blocking socket read in a class initializer run by a coroutine (it cannot yield there) blocks instead, and completes")
    void pinnedCoroutineBlocksInsteadOfYielding() {
        try (AgentJvm jvm = app("carriers=1", "pinned-explicit").start()) {
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^pinned-explicit: state=DONE read=5$", WAIT);
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describeState());
        }
    }

    @Test
    @DisplayName("a program in libco's shape (generator, cond, locals, poll) runs correctly under the agent")
    void libcoShapedProgram() {
        try (AgentJvm jvm = app("", "model").start()) {
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^model: generator=\\[1, 3, 6, 10\\]$", WAIT);
            jvm.awaitLine(AgentJvm.Stream.STDOUT,
                    "^model: log=\\[producer-1, consumer-1, producer-2, consumer-2, producer-3, consumer-3\\]$", WAIT);
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^model: poll=\\[1, 0, 0, 1\\]$", WAIT);
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describeState());
        }
    }

    @Test
    @DisplayName("carriers=1: converted threads and explicit coroutines share the carrier; every verified round trip of both completes")
    void convertedThreadsAndCoroutinesShareACarrier() {
        try (AgentJvm jvm = app("carriers=1", "share", 30).start()) {
            jvm.awaitLine(AgentJvm.Stream.STDOUT, "^share: thread-rounds=600 coroutine-rounds=600$", WAIT);
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describeState());
        }
    }

    @Test
    @DisplayName("carriers=1: while a converted thread is pinned in a class initializer, coroutines waiting on CoCond and Coio.poll are still woken")
    void condAndPollWorkDuringThePinnedHandOff() throws IOException {
        try (ServerSocket release = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentJvm jvm = app("carriers=1,stats=true", "pinned", release.getLocalPort()).start()) {
            release.setSoTimeout((int) WAIT.toMillis());
            try (Socket fromInit = release.accept()) {
                jvm.awaitLine(AgentJvm.Stream.STDOUT, "^pinned: initializer connected$", WAIT);
                jvm.awaitLine(AgentJvm.Stream.STDOUT, "^pinned: woke while pinned \\[cond=true, poll=1\\]$", WAIT);
                assertFalse(jvm.stdoutMatching("^pinned: after release").size() > 0, "released too early");
                OutputStream out = fromInit.getOutputStream();
                out.write(99);
                out.flush();
                jvm.awaitLine(AgentJvm.Stream.STDOUT, "^pinned: after release pin=99$", WAIT);
            }
            assertEquals(0, jvm.awaitExit(WAIT), jvm.describeState());
            // the pinned initializer's loop was handed off: as a pinned park, or earlier in the same run by its
            // console output (a Blocker hand-off); either way the carrier kept serving (the lines above)
            jvm.awaitLine(AgentJvm.Stream.STDERR, "(pinnedFallbacks|pinnedWaitHandOffs|blockerHandOffs|fileHandOffs)=[1-9]",
                    WAIT);
        }
    }
}
