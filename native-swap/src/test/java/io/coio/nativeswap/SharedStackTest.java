package io.coio.nativeswap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Coroutines on shared ("copy") stacks driven from Java keep their stack contents. */
class SharedStackTest {

    @BeforeEach
    void nativeAvailable() {
        TestLib.assumeNative();
    }

    @Test
    void stackContentsSurviveInterleavingOnSharedStacks() {
        try (SharedStack stack = SharedStack.allocate(2, 64 * 1024)) {
            List<NativeCoroutine> cos = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                cos.add(NativeCoroutine.create(TestLib.fn("coio_test_pattern"), MemorySegment.ofAddress(i), stack));
            }
            int[] resumes = new int[cos.size()];
            Random random = new Random(42);
            int finished = 0;
            while (finished < cos.size()) {
                int i = random.nextInt(cos.size());
                if (resumes[i] == 4) {
                    continue;
                }
                Suspension s = cos.get(i).resume();
                resumes[i]++;
                if (resumes[i] < 4) {
                    assertEquals(new Suspension.Yielded(0), s);
                } else {
                    assertEquals(new Suspension.Finished(i), s, "coroutine " + i + " saw its stack change");
                    finished++;
                }
            }
            cos.forEach(NativeCoroutine::close);
        }
    }

    @Test
    void closingTheStackFirstIsSafe() {
        SharedStack stack = SharedStack.allocate(1, 0);
        NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_forever"), MemorySegment.NULL, stack);
        co.resume();
        stack.close(); // deferred natively while a coroutine is bound to it
        assertThrows(IllegalStateException.class,
                () -> NativeCoroutine.create(TestLib.fn("coio_test_forever"), MemorySegment.NULL, stack));
        assertEquals(new Suspension.Yielded(1), co.resume());
        co.close(); // frees the stack now
        stack.close();
    }

    @Test
    void badArgumentsNameTheErrno() {
        NativeSwapException e = assertThrows(NativeSwapException.class, () -> SharedStack.allocate(0, 4096));
        assertEquals("EINVAL", e.errnoName());
        assertEquals(22, e.errno());
        assertEquals("co_alloc_sharestack failed: EINVAL (errno 22)", e.getMessage());
    }
}
