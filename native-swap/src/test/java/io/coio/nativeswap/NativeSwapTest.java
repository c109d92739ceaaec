package io.coio.nativeswap;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Availability reporting, platform checks and errno naming. */
class NativeSwapTest {

    @Test
    void libraryLoadsFromTheJarResourceOnThisPlatform() {
        TestLib.assumeNative();
        assertDoesNotThrow(NativeSwap::ensureAvailable);
        // surefire's java.library.path has no libcoio_swap.so: it came from META-INF/native
        assertTrue(NativeSwap.librarySource().startsWith("extracted "), NativeSwap.librarySource());
    }

    @Test
    void otherPlatformsAreRefusedByName() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> NativeSwap.checkPlatform("Mac OS X", "aarch64"));
        assertTrue(e.getMessage().contains("only Linux x86-64") && e.getMessage().contains("Mac OS X aarch64"),
                e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> NativeSwap.checkPlatform("Linux", "aarch64"));
        assertDoesNotThrow(() -> NativeSwap.checkPlatform("Linux", "amd64"));
        assertDoesNotThrow(() -> NativeSwap.checkPlatform("Linux", "x86_64"));
    }

    @Test
    void errnoValuesHaveTheirNames() {
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("ENOMEM", Errno.name(12));
        assertEquals("EBUSY", Errno.name(16));
        assertEquals("errno 4095", Errno.name(4095));
        NativeSwapException e = new NativeSwapException("co_create", 12);
        assertEquals("co_create failed: ENOMEM (errno 12)", e.getMessage());
        assertEquals("co_create", e.function());
        assertEquals(7, NativeSwapException.check("x", 7));
        assertThrows(NativeSwapException.class, () -> NativeSwapException.check("x", -16));
    }
}
