package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.KeepAliveApp;
import example.apps.ThreadContractApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CheckLines;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The app's own Thread objects keep the java.lang.Thread contract while their code runs as coroutines. */
@Timeout(120)
class ThreadContractTest {

    /** What {@link ThreadContractApp} must print; {@code kind} is what runs the app's threads. */
    static Map<String, String> expected(String kind) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("newThread.kind", kind);
        m.put("lifecycle.stateBeforeStart", "NEW");
        m.put("lifecycle.aliveBeforeStart", "false");
        m.put("lifecycle.aliveAfterStart", "true");
        m.put("lifecycle.stateWhileBlocked", "WAITING");
        m.put("lifecycle.aliveAfterJoin", "false");
        m.put("lifecycle.stateAfterJoin", "TERMINATED");
        m.put("lifecycle.resultAfterJoin", "42");
        m.put("join200.aliveAfter", "true");
        m.put("join200.atLeast200ms", "true");
        m.put("join200.aliveAfterRelease", "false");
        m.put("name.beforeStart", "app-worker-7");
        m.put("name.inside", "app-worker-7");
        m.put("name.afterJoin", "app-worker-7");
        m.put("name.renamedInside", "renamed-before-start");
        m.put("interruptSleep.stateBefore", "TIMED_WAITING");
        m.put("interruptSleep.outcome", "InterruptedException interrupted=false");
        m.put("interruptLatch.stateBefore", "WAITING");
        m.put("interruptLatch.outcome", "InterruptedException");
        m.put("interruptFlag.outcome", "flag seen");
        m.put("uncaught.handler", "sameThreadObject=true java.lang.IllegalStateException: boom");
        m.put("uncaught.stateAfter", "TERMINATED");
        m.put("uncaught.defaultHandler", "sameThreadObject=true java.lang.IllegalArgumentException: bang");
        m.put("startTwice.whileRunning", "IllegalThreadStateException");
        m.put("startTwice.afterEnd", "IllegalThreadStateException");
        m.put("subclass.output", kind + " input*2=42");
        m.put("subclass.stateAfterJoin", "TERMINATED");
        m.put("subclassStart.output", "start-override " + kind);
        m.put("subclassStart.childStartedInRun", kind);
        m.put("pool.fixed", kind);
        m.put("pool.fixedTerminated", "true");
        m.put("pool.cached", kind);
        m.put("pool.cachedTerminated", "true");
        m.put("daemon.flag", "true");
        m.put("daemon.defaultFlag", "false");
        m.put("inheritableThreadLocal.inside", "from-main");
        return m;
    }


    @Test
    @DisplayName("under the agent: new Thread/Thread subclass (run() or start() overridden)/pool workers run as coroutines and keep join, isAlive, getState, getName, interrupt, uncaught handlers, start-twice, daemon flag, InheritableThreadLocal")
    void threadContractUnderAgent() {
        CheckLines.assertMatch(expected("virtual=true coio=true"),
                CheckLines.run(AgentJvm.builder(ThreadContractApp.class).agent("carriers=1")), "Thread contract under the agent");
    }

    @Test
    @DisplayName("reference: the same checks hold on a plain JDK without the agent (the expectations are the JDK's)")
    void threadContractWithoutAgent() {
        CheckLines.assertMatch(expected("virtual=false coio=false"),
                CheckLines.run(AgentJvm.builder(ThreadContractApp.class).noAgent()), "Thread contract without agent");
    }

    @Test
    @DisplayName("a non-daemon thread keeps the JVM alive after main returns: it still does socket I/O and prints, then the JVM exits 0")
    void nonDaemonThreadKeepsJvmAlive() throws IOException {
        try (ServerSocket test = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             AgentJvm app = AgentJvm.builder(KeepAliveApp.class).agent("carriers=1").args(test.getLocalPort()).start()) {
            app.awaitStdout("^main returning, worker daemon=false$");
            test.setSoTimeout(30_000);
            Socket s;
            try {
                s = test.accept();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the worker never connected after main returned (JVM exited early?)"
                        + app.describeState(), e);
            }
            try (s) {
                OutputStream out = s.getOutputStream();
                out.write("hello-from-test\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                app.awaitStdout("^worker after main returned: hello-from-test virtual=true$");
            }
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
        }
    }
}
