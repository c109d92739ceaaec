package io.coio.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Explicit coroutines: resume/yield with values, state table, nesting, errors. */
class CoroutineTest {

    @Test
    void generatorYieldsValuesToItsResumerAndReceivesTheResumeValues() {
        List<Object> received = new ArrayList<>();
        Coroutine gen = Coroutine.create("gen", first -> {
            received.add(first);
            for (int i = 1; i <= 3; i++) {
                received.add(Coroutine.yield(i * i));
            }
            return "end";
        });
        assertEquals(Coroutine.State.NEW, gen.state());
        assertEquals(1, gen.resume("a"));
        assertEquals(Coroutine.State.SUSPENDED, gen.state());
        assertEquals(4, gen.resume("b"));
        assertEquals(9, gen.resume("c"));
        assertEquals("end", gen.resume("d"));
        assertTrue(gen.isDone());
        assertEquals(List.of("a", "b", "c", "d"), received);
        assertThrows(IllegalStateException.class, gen::resume);
        gen.release();
        assertEquals(Coroutine.State.RELEASED, gen.state());
    }

    @Test
    void currentIsTheRunningCoroutineAndNullOutside() {
        assertNull(Coroutine.current());
        Coroutine[] seen = new Coroutine[2];
        Coroutine[] self = new Coroutine[1];
        self[0] = Coroutine.create("self", () -> {
            seen[0] = Coroutine.current();
            Coroutine.yield();
            seen[1] = Coroutine.current();
        });
        self[0].resume();
        self[0].resume();
        assertSame(self[0], seen[0]);
        assertSame(self[0], seen[1]);
        assertNull(Coroutine.current());
    }

    @Test
    void nestedResumeReturnsToTheInnerResumerThenToTheOuter() {
        List<String> log = new ArrayList<>();
        Coroutine inner = Coroutine.create("inner", () -> {
            log.add("inner-1");
            Coroutine.yield();
            log.add("inner-2");
        });
        Coroutine outer = Coroutine.create("outer", () -> {
            log.add("outer-1");
            inner.resume();
            log.add("outer-2 current=" + Coroutine.current().name());
            Coroutine.yield();
            inner.resume();
            log.add("outer-3");
        });
        outer.resume();
        log.add("main");
        outer.resume();
        assertEquals(List.of("outer-1", "inner-1", "outer-2 current=outer", "main", "inner-2", "outer-3"), log);
        assertTrue(inner.isDone());
        assertTrue(outer.isDone());
    }

    @Test
    void resumingARunningCoroutineOrYieldingOutsideOneIsAnError() {
        Coroutine[] self = new Coroutine[1];
        Object[] error = new Object[1];
        self[0] = Coroutine.create("self", () -> {
            try {
                self[0].resume();
            } catch (IllegalStateException e) {
                error[0] = e;
            }
        });
        self[0].resume();
        assertTrue(error[0] instanceof IllegalStateException, String.valueOf(error[0]));
        assertThrows(IllegalStateException.class, () -> Coroutine.yield("x"));
    }

    @Test
    void exceptionsOfTheBodyComeOutOfResume() {
        Coroutine bad = Coroutine.create("bad", () -> {
            throw new IllegalArgumentException("boom");
        });
        assertEquals("boom", assertThrows(IllegalArgumentException.class, bad::resume).getMessage());
        assertTrue(bad.isDone());
        Coroutine checked = Coroutine.create("checked", first -> {
            throw new java.io.IOException("io");
        });
        CompletionException e = assertThrows(CompletionException.class, checked::resume);
        assertTrue(e.getCause() instanceof java.io.IOException);
    }

    @Test
    void aRunningOrNewCoroutineCannotBeReleasedWhileRunning() {
        Coroutine[] self = new Coroutine[1];
        Object[] error = new Object[1];
        self[0] = Coroutine.create("self", () -> {
            try {
                self[0].release();
            } catch (IllegalStateException e) {
                error[0] = e;
            }
        });
        self[0].resume();
        assertTrue(error[0] instanceof IllegalStateException);
        Coroutine fresh = Coroutine.create(() -> { });
        fresh.release();
        assertThrows(IllegalStateException.class, fresh::resume);
        assertFalse(fresh.isDone());
    }

    @Test
    void aSuspendedCoroutineCanBeResumedFromAnotherThread() throws Exception {
        Coroutine co = Coroutine.create("hop", first -> {
            String a = Thread.currentThread().getName();
            Coroutine.yield(a);
            return Thread.currentThread().getName();
        });
        Object first = co.resume();
        Object[] second = new Object[1];
        Thread other = new Thread(() -> second[0] = co.resume(), "other-platform");
        other.start();
        other.join(60_000);
        assertTrue(co.isDone());
        // Inside a coroutine, Thread.currentThread() is the thread that runs it (the loop's host of each thread).
        assertTrue(String.valueOf(first).startsWith("coio-explicit-host"), String.valueOf(first));
        assertTrue(String.valueOf(second[0]).startsWith("coio-explicit-host"), String.valueOf(second[0]));
        assertFalse(first.equals(second[0]), first + " vs " + second[0]);
    }
}
