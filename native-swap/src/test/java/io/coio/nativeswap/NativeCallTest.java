package io.coio.nativeswap;

import static io.coio.nativeswap.Coroutines.LIMIT;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.runtime.CoioRuntime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeCall#call} from coio coroutines on one carrier: native code that waits with coio_poll
 * parks its coroutine on the carrier's epoll, and the carrier runs other coroutines meanwhile.
 */
class NativeCallTest {
    private static final long ETIMEDOUT = 110;

    @BeforeEach
    void nativeOnly() {
        TestLib.assumeNative();
    }

    @Test
    void nativeWaitParksTheCoroutineAndTheCarrierServesOthers() throws Throwable {
        int[] fds = socketPair(true);
        MemorySegment buf = Arena.global().allocate(64);
        long pinned = Coroutines.pinnedFallbacks();
        long waits = NativeCall.stats().carrierWaits();

        Coroutines.Running<Long> reader = Coroutines.start("native-reader",
                () -> NativeCall.call(TestLib.fn("coio_test_read_poll"), fds[0], buf.address(), 64, -1));
        Coroutines.awaitParked(reader.thread());
        // The only carrier is free while the native read waits: another coroutine runs there and writes.
        Coroutines.Running<String> writer = Coroutines.start("writer", () -> {
            TestLib.write(fds[1], "hello");
            return Thread.currentThread().toString();
        });
        assertTrue(writer.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS).contains("@coio-carrier-0"));
        assertEquals(5L, reader.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("hello", buf.getString(0).substring(0, 5));
        assertTrue(NativeCall.stats().carrierWaits() > waits, "the wait was not parked on the carrier");
        assertEquals(pinned, Coroutines.pinnedFallbacks(), "a native wait pinned the carrier");
        closeAll(fds);
    }

    @Test
    void anInterruptDoesNotEndANativeWaitAndIsKept() throws Throwable {
        int[] fds = socketPair(true);
        MemorySegment buf = Arena.global().allocate(64);
        Coroutines.Running<Object[]> reader = Coroutines.start("interrupted-reader", () -> {
            long r = NativeCall.call(TestLib.fn("coio_test_read_poll"), fds[0], buf.address(), 64, -1);
            return new Object[] {r, Thread.currentThread().isInterrupted()};
        });
        Coroutines.awaitParked(reader.thread());
        reader.thread().interrupt();
        TestLib.write(fds[1], "after");
        Object[] out = reader.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(5L, out[0], "the native read ended with " + out[0] + " instead of its data");
        assertEquals(true, out[1], "the interrupt status was lost");
        closeAll(fds);
    }

    @Test
    void timeoutOfTheNativeWaitIsKept() throws Throwable {
        int[] fds = socketPair(true);
        MemorySegment buf = Arena.global().allocate(64);
        Coroutines.Running<long[]> reader = Coroutines.start("timed-reader", () -> {
            long start = System.nanoTime();
            long r = NativeCall.call(TestLib.fn("coio_test_read_poll"), fds[0], buf.address(), 64, 150);
            return new long[] {r, System.nanoTime() - start};
        });
        long[] out = reader.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(-ETIMEDOUT, out[0]);
        assertTrue(out[1] >= TimeUnit.MILLISECONDS.toNanos(150), "returned after " + out[1] + " ns");
        closeAll(fds);
    }

    @Test
    void manyNativeWaitsOnOneCarrierEachWakeWithItsOwnData() throws Throwable {
        int n = 200;
        long pinned = Coroutines.pinnedFallbacks();
        List<int[]> pairs = new ArrayList<>();
        List<Coroutines.Running<String>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] fds = socketPair(true);
            pairs.add(fds);
            readers.add(Coroutines.start("reader-" + i, () -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment b = arena.allocate(64);
                    long r = NativeCall.call(TestLib.fn("coio_test_read_poll"), fds[0], b.address(), 64, -1);
                    return r < 0 ? "error " + r : b.getString(0).substring(0, (int) r);
                }
            }));
        }
        for (int i = n - 1; i >= 0; i--) {
            TestLib.write(pairs.get(i)[1], "msg-" + i);
        }
        for (int i = 0; i < n; i++) {
            assertEquals("msg-" + i, readers.get(i).result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
            closeAll(pairs.get(i));
        }
        assertEquals(pinned, Coroutines.pinnedFallbacks());
    }

    @Test
    void offACoroutineItIsAPlainBlockingCall() throws Throwable {
        int[] fds = socketPair(true);
        MemorySegment buf = Arena.global().allocate(64);
        long onStack = NativeCall.stats().onCoroutineStack();
        assertFalse(CoioRuntime.isCoroutine(Thread.currentThread()));
        CompletableFuture<Long> r = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() ->
                r.complete(NativeCall.call(TestLib.fn("coio_test_read_poll"), fds[0], buf.address(), 64, -1)));
        TestLib.write(fds[1], "plain");
        assertEquals(5L, r.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        t.join();
        assertEquals(-ETIMEDOUT, NativeCall.call(TestLib.fn("coio_test_read_poll"), fds[0], buf.address(), 64, 50));
        assertEquals(onStack, NativeCall.stats().onCoroutineStack(), "a platform thread's call used a coroutine stack");
        closeAll(fds);
    }

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NativeCall.call(MemorySegment.NULL));
        assertThrows(IllegalArgumentException.class,
                () -> NativeCall.call(TestLib.fn("coio_test_read_poll"), 1, 2, 3, 4, 5, 6, 7));
        NativeSwapException e = assertThrows(NativeSwapException.class, () -> NativeCall.hookLibrary("libnot-loaded.so.9"));
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().contains("load it first"), e.getMessage());
    }

    static int[] socketPair(boolean nonblocking) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int rc = (int) TestLib.handle("coio_test_socketpair", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))
                    .invokeExact(fds, nonblocking ? 1 : 0);
            if (rc != 0) {
                throw new IllegalStateException("socketpair failed: " + rc);
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    static void closeAll(int[] fds) throws Throwable {
        for (int fd : fds) {
            TestLib.close(fd);
        }
    }
}
