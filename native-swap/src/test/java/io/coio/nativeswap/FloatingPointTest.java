package io.coio.nativeswap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A native coroutine's floating-point mode (MXCSR, x87 CW) is its own: it never leaks into the JVM's thread. */
class FloatingPointTest {

    @BeforeEach
    void nativeAvailable() {
        TestLib.assumeNative();
    }

    @Test
    void roundingModeStaysInsideTheCoroutine() throws Throwable {
        int upward = TestLib.intCall("coio_test_fe_upward");
        int before = TestLib.intCall("coio_test_get_round");
        try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_round_up"), MemorySegment.NULL)) {
            assertEquals(new Suspension.Yielded(upward), co.resume()); // it switched to FE_UPWARD
            assertEquals(before, TestLib.intCall("coio_test_get_round")); // ...the JVM thread did not
            assertEquals(0.1 + 0.2, 0.30000000000000004); // Java arithmetic unaffected
            assertEquals(new Suspension.Finished(1), co.resume()); // and it still rounds upward
            assertEquals(before, TestLib.intCall("coio_test_get_round"));
        }
    }
}
