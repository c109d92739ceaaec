package io.coio.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coio.eventLoop (co_eventloop): per-iteration callback that stops the loop with -1. */
class EventLoopTest {

    @Test
    void theCallbackRunsEachIterationAndMinusOneStopsTheLoop() {
        AtomicInteger calls = new AtomicInteger();
        Coio.eventLoop(() -> calls.incrementAndGet() == 5 ? -1 : 0);
        assertEquals(5, calls.get());
    }

    @Test
    void theCallbackKeepsRunningWhileCoroutinesSleep() {
        AtomicInteger calls = new AtomicInteger();
        Coroutine co = Coroutine.create(() -> Coio.sleep(100));
        co.resume();
        Coio.eventLoop(() -> {
            calls.incrementAndGet();
            return co.isDone() ? -1 : 0;
        });
        // libco's loop waits at most 1 ms per iteration: the callback ran many times during the 100 ms sleep.
        assertTrue(calls.get() > 5, "callback calls: " + calls.get());
    }

    @Test
    void eventLoopInsideACoroutineIsAnError() {
        Object[] error = new Object[1];
        Coroutine co = Coroutine.create(() -> {
            try {
                Coio.eventLoop(() -> -1);
            } catch (IllegalStateException e) {
                error[0] = e;
            }
        });
        co.resume();
        assertTrue(error[0] instanceof IllegalStateException);
    }
}
