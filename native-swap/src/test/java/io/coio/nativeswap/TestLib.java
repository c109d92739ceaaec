package io.coio.nativeswap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** libcoio_swap_test.so (src/test/c/coio_testlib.c): example native coroutines and helpers. */
final class TestLib {
    private static SymbolLookup lookup;

    private TestLib() {}

    /** Skips the calling test where the native library cannot exist (not Linux x86-64). */
    static void assumeNative() {
        assumeTrue(NativeSwap.isAvailable(), () -> "native-swap unavailable: " + NativeSwap.unavailabilityCause());
    }

    @SuppressWarnings("restricted")
    static synchronized SymbolLookup lookup() {
        if (lookup == null) {
            NativeSwap.ensureAvailable(); // first: the test library binds to it by soname
            Path lib = Path.of(System.getProperty("coio.nativeswap.testlib", "target/native-test/libcoio_swap_test.so"));
            if (!Files.isRegularFile(lib)) {
                throw new IllegalStateException("test library missing: " + lib + " (built by native.sh testlib)");
            }
            lookup = SymbolLookup.libraryLookup(lib, Arena.global());
        }
        return lookup;
    }

    /** The address of a test routine, e.g. "coio_test_counter". */
    static MemorySegment fn(String name) {
        return lookup().find(name).orElseThrow(() -> new IllegalStateException("no test symbol " + name));
    }

    @SuppressWarnings("restricted")
    static MethodHandle handle(String name, FunctionDescriptor fd) {
        return Linker.nativeLinker().downcallHandle(fn(name), fd);
    }

    /** A non-blocking pipe: [read fd, write fd]. */
    static int[] pipe() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int rc = (int) handle("coio_test_pipe", FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(fds);
            if (rc != 0) {
                throw new IllegalStateException("pipe2 failed: " + rc);
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    static long write(int fd, String text) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(text);
            return (long) handle("coio_test_write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG))
                    .invokeExact(fd, data, (long) text.length());
        }
    }

    static void close(int fd) throws Throwable {
        handle("coio_test_close", FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(fd);
    }

    static int intCall(String name) throws Throwable {
        return (int) handle(name, FunctionDescriptor.of(JAVA_INT)).invokeExact();
    }

    @SuppressWarnings("restricted")
    static String lastRead() {
        return fn("coio_test_last_read").reinterpret(65).getString(0);
    }
}
