package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.IdleThreadMemoryApp;
import io.coio.it.harness.AgentJvm;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What coio keeps and allocates for an idle converted thread (docs/benchmark.md, "Where the memory goes"): a
 * thread-per-connection app with 300 connections each parked in a socket read, counted from the JVM's own class
 * histogram after a full GC, and the bytes a {@code Thread.start()} allocates on the starting thread.
 */
@Timeout(180)
class IdleMemoryTest {
    private static final int CONNECTIONS = 300;

    @Test
    @DisplayName("an idle converted thread keeps one coio object for its conversion (its scheduler, also its task), no coio lambda, no thread-local map, and its fd's readiness state without arrays; a start allocates under 600 bytes on the starting thread (no stack walk); its parked stack holds at most 5 coio frames")
    void idleConvertedThreadKeepsOneCoioObject() {
        Map<String, Double> perThread = new HashMap<>();
        long startBytes;
        String frames;
        try (AgentJvm app = AgentJvm.builder(IdleThreadMemoryApp.class).agent("carriers=1").args(CONNECTIONS).start()) {
            app.awaitStdout("^DONE$", Duration.ofSeconds(150));
            assertEquals(0, app.awaitExit(Duration.ofSeconds(30)), "exit code" + app.describeState());
            for (String l : app.stdoutMatching("^COUNT ")) {
                String[] f = l.split(" ");
                perThread.put(f[1].substring("class=".length()), Double.parseDouble(f[2].substring("perThread=".length())));
            }
            String start = app.stdoutMatching("^START_BYTES ").get(0);
            startBytes = Long.parseLong(start.substring(start.indexOf('=') + 1));
            frames = app.stdoutMatching("^FRAMES ").get(0);
        }
        String seen = perThread + " startBytes=" + startBytes;
        // The app's own objects, one each per connection: the measurement counts what it should.
        assertEquals(1.0, perThread.get("java.lang.Thread"), 0.02, seen);
        assertEquals(1.0, perThread.get("java.lang.VirtualThread"), 0.02, "one coroutine per converted thread: " + seen);
        // The mechanism: the scheduler is also the coroutine's task and the conversion's body is one shared object, so
        // the conversion keeps exactly one coio object per thread and no lambda (it kept two lambdas before: 48 bytes
        // and two frames more in every parked stack).
        assertEquals(1.0, perThread.get("io.coio.runtime.AppThreadScheduler"), 0.02, seen);
        assertEquals(0.0, perThread.get("coio.lambdas"), 0.02, "coio lambda objects kept per idle thread: " + seen);
        // Thread-local maps are made when the JDK first needs one and then shared with the app thread
        // (AppThreadState.mapCreated); a thread that uses no thread-local keeps none (two empty maps, 208 bytes, before).
        assertEquals(0.0, perThread.get("java.lang.ThreadLocal$ThreadLocalMap"), 0.02, "thread-local maps kept per idle thread: " + seen);
        // The readiness state of the connection's fd: one FdState, its per-direction counters and waiters in fields (four
        // arrays before: 3 int[2] and a Waiter[2], 96 bytes), and its registration is itself the fd object Netty gets
        // (a separate FileDescriptor subclass before). Per idle thread, coio keeps: the scheduler (also what the run
        // queue holds for a resumption: a separate Resumption object before), the FdState, the parked Waiter, the
        // FdRegistration and Netty's registration of it.
        assertEquals(1.0, perThread.get("io.coio.runtime.FdState"), 0.02, seen);
        assertEquals(0.0, perThread.get("[I"), 0.05, "int arrays kept per idle thread: " + seen);
        assertEquals(0.0, perThread.get("[Lio.coio.runtime.Waiter;"), 0.02, seen);
        assertEquals(5.0, perThread.get("coio.all"), 0.05, "coio objects kept per idle thread: " + seen);
        // Thread.start's caller comes from the JVM (Reflection.getCallerClass() in the rewritten, @CallerSensitive
        // Thread.start), not from a stack walk: 408 bytes per start here (the JDK's own objects for a virtual thread and
        // coio's scheduler); 1,244 with the walk's frame batch, 1,693 with the walk's stream pipeline before that. The
        // count does not depend on the JIT (the same with -Xint).
        assertTrue(startBytes < 600, "bytes allocated on the starting thread per Thread.start(): " + seen);
        // A parked coroutine keeps every frame of its stack in its heap stack chunk. coio's frames in an idle
        // handler's stack (the JVM's thread dump): the bridge's poll, the hooks object's, Hooks.poll and its app-thread
        // wait loop above the JDK's socket code, the scheduler's run() below the app's Thread.run: 5 (8 before: a
        // delegating Hooks.poll overload, Waiter.await, and the conversion's body as a frame of its own). The JDK's
        // own virtual threads keep none of these (an echo handler parked in its read: 15 frames, under coio 20).
        int coioFrames = Integer.parseInt(frames.substring(frames.indexOf("coio=") + "coio=".length()));
        assertTrue(coioFrames > 0, "the dump shows the coroutine's frames: " + frames);
        assertTrue(coioFrames <= 5, "coio frames kept in a parked converted thread's stack: " + frames);
    }
}
