package io.coio.nativeswap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The promises of NativeCoroutine on one thread: values, waits, lifecycle, misuse. */
class NativeCoroutineTest {

    @BeforeEach
    void nativeAvailable() {
        TestLib.assumeNative();
    }

    @Test
    void valuesCrossEverySwitchBothWays() {
        try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_counter"), MemorySegment.ofAddress(10))) {
            assertEquals(NativeCoroutine.State.CREATED, co.state());
            assertEquals(new Suspension.Yielded(10), co.resume(999)); // first value has nowhere to go
            assertEquals(NativeCoroutine.State.SUSPENDED, co.state());
            long expect = 10;
            for (int i = 1; i <= 4; i++) {
                expect += i;
                assertEquals(new Suspension.Yielded(expect), co.resume(i));
            }
            assertEquals(new Suspension.Finished((expect + 5) * 2), co.resume(5));
            assertEquals(NativeCoroutine.State.FINISHED, co.state());
        }
    }

    @Test
    void nativeCodeWaitsForADescriptorBySuspendingToJava() throws Throwable {
        int[] fds = TestLib.pipe();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fdArg = arena.allocateFrom(ValueLayout.JAVA_INT, fds[0]);
            try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_read_fd"), fdArg)) {
                Suspension s = co.resume();
                Suspension.WaitingFd wait = assertInstanceOf(Suspension.WaitingFd.class, s);
                assertEquals(fds[0], wait.fd());
                assertTrue(wait.readable());
                assertEquals(NativeCoroutine.State.SUSPENDED, co.state());

                assertEquals(5, TestLib.write(fds[1], "hello"));
                // coio would now wait on its carrier's epoll; the pipe is readable, say so
                assertEquals(new Suspension.Finished(5), co.resume(Suspension.WaitingFd.POLLIN));
                assertEquals("hello", TestLib.lastRead());
            }
        } finally {
            TestLib.close(fds[0]);
            TestLib.close(fds[1]);
        }
    }

    @Test
    void resetStartsOver() {
        try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_counter"), MemorySegment.ofAddress(1))) {
            assertEquals(new Suspension.Yielded(1), co.resume());
            assertEquals(new Suspension.Yielded(3), co.resume(2));
            co.reset();
            assertEquals(NativeCoroutine.State.CREATED, co.state());
            assertEquals(new Suspension.Yielded(1), co.resume());
        }
    }

    @Test
    void nativeCoroutinesNestBelowAJavaDrivenOne() {
        try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_nested"), MemorySegment.NULL)) {
            long sum = 0;
            Suspension s = co.resume();
            int yields = 0;
            while (s instanceof Suspension.Yielded y) {
                sum += y.value();
                yields++;
                s = co.resume();
            }
            assertEquals(5, yields); // the inner counter yields 100, 101, ..., 104
            assertEquals(100 + 101 + 102 + 103 + 104, sum);
            assertEquals(new Suspension.Finished(sum), s);
        }
    }

    @Test
    void misuseIsRefusedWithClearExceptions() {
        NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_counter"), MemorySegment.NULL);
        for (int i = 0; i < 6; i++) {
            co.resume();
        }
        IllegalStateException finished = assertThrows(IllegalStateException.class, co::resume);
        assertTrue(finished.getMessage().contains("finished"), finished.getMessage());
        co.close();
        co.close(); // idempotent
        assertEquals(NativeCoroutine.State.CLOSED, co.state());
        IllegalStateException closed = assertThrows(IllegalStateException.class, co::resume);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());

        assertThrows(IllegalArgumentException.class, () -> NativeCoroutine.create(MemorySegment.NULL, MemorySegment.NULL));
        assertThrows(NullPointerException.class, () -> NativeCoroutine.create(TestLib.fn("coio_test_counter"), null));
    }

    @Test
    void stackSizeFollowsLibcoRules() {
        // 0 -> 128 KiB, tiny -> one page, huge -> clamped to 8 MiB: all usable
        for (int size : new int[] {0, 1, 4096, 1 << 20, Integer.MAX_VALUE}) {
            try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_forever"), MemorySegment.NULL, size)) {
                assertEquals(new Suspension.Yielded(0), co.resume());
                assertEquals(new Suspension.Yielded(1), co.resume());
            }
        }
    }
}
