package io.coio.nativeswap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The FFM view of {@code libcoio_swap}: struct layouts and downcall handles. Layouts must match
 * {@code co_routine.h} / {@code coio_swap.h}. Initializing this class requires the library
 * ({@link NativeSwap#ensureAvailable()}).
 */
final class Native {
    private Native() {}

    // coio_transfer (coio_swap.h)
    static final StructLayout TRANSFER = MemoryLayout.structLayout(
            JAVA_LONG.withName("value"), JAVA_INT.withName("fd"), JAVA_INT.withName("events"));
    static final long TRANSFER_VALUE = TRANSFER.byteOffset(MemoryLayout.PathElement.groupElement("value"));
    static final long TRANSFER_FD = TRANSFER.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    static final long TRANSFER_EVENTS = TRANSFER.byteOffset(MemoryLayout.PathElement.groupElement("events"));

    // coio_poll_request (coio_swap.h) and struct pollfd
    static final StructLayout POLL_REQUEST = MemoryLayout.structLayout(
            ADDRESS.withName("fds"), JAVA_INT.withName("nfds"), JAVA_INT.withName("reserved"),
            JAVA_LONG.withName("timeout_ns"));
    static final long POLL_REQUEST_FDS = POLL_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("fds"));
    static final long POLL_REQUEST_NFDS = POLL_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("nfds"));
    static final long POLL_REQUEST_TIMEOUT = POLL_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("timeout_ns"));
    static final long POLLFD_SIZE = 8; // int fd; short events; short revents
    static final long POLLFD_EVENTS = 4;

    // coio_call (coio_swap.h)
    static final StructLayout CALL = MemoryLayout.structLayout(
            ADDRESS.withName("fn"), MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"),
            JAVA_LONG.withName("result"));
    static final long CALL_FN = CALL.byteOffset(MemoryLayout.PathElement.groupElement("fn"));
    static final long CALL_ARGS = CALL.byteOffset(MemoryLayout.PathElement.groupElement("args"));
    static final long CALL_RESULT = CALL.byteOffset(MemoryLayout.PathElement.groupElement("result"));

    // stCoRoutineAttr_t (co_routine.h; coio's is not packed)
    static final StructLayout ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("stack_size"), MemoryLayout.paddingLayout(4), ADDRESS.withName("share_stack"));
    static final long ATTR_STACK_SIZE = ATTR.byteOffset(MemoryLayout.PathElement.groupElement("stack_size"));
    static final long ATTR_SHARE_STACK = ATTR.byteOffset(MemoryLayout.PathElement.groupElement("share_stack"));

    // coio_resume results
    static final int COIO_FINISHED = 0;
    static final int COIO_YIELDED = 1;
    static final int COIO_WAIT_FD = 2;
    static final int COIO_WAIT_POLL = 3;
    // coio_state results
    static final int COIO_STATE_CREATED = 0;
    static final int COIO_STATE_RUNNING = 1;
    static final int COIO_STATE_SUSPENDED = 2;
    static final int COIO_STATE_FINISHED = 3;

    static final MethodHandle CO_CREATE;             // int co_create(co**, attr*, routine, arg)
    static final MethodHandle CO_RELEASE;            // void co_release(co*)
    static final MethodHandle CO_RESET;              // void co_reset(co*)
    static final MethodHandle COIO_RESUME;           // int coio_resume(co*, coio_transfer*)
    static final MethodHandle COIO_STATE;            // int coio_state(co*)
    static final MethodHandle CO_ALLOC_SHARESTACK;   // stShareStack_t* (errno captured)
    static final MethodHandle CO_RELEASE_SHARESTACK; // void co_release_sharestack(ss*)
    static final MethodHandle COIO_CALL_ROUTINE;     // void *coio_call_routine(coio_call*), called directly
    static final MethodHandle COIO_HOOK_LIBRARY;     // int coio_hook_library(const char*)
    static final MemorySegment COIO_CALL_ROUTINE_SYMBOL;
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static {
        NativeSwap.ensureAvailable();
        SymbolLookup lib = SymbolLookup.loaderLookup();
        CO_CREATE = handle(lib, "co_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        CO_RELEASE = handle(lib, "co_release", FunctionDescriptor.ofVoid(ADDRESS));
        CO_RESET = handle(lib, "co_reset", FunctionDescriptor.ofVoid(ADDRESS));
        COIO_RESUME = handle(lib, "coio_resume", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        COIO_STATE = handle(lib, "coio_state", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        CO_ALLOC_SHARESTACK = handle(lib, "co_alloc_sharestack",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));
        CO_RELEASE_SHARESTACK = handle(lib, "co_release_sharestack", FunctionDescriptor.ofVoid(ADDRESS));
        COIO_CALL_ROUTINE = handle(lib, "coio_call_routine", FunctionDescriptor.of(ADDRESS, ADDRESS));
        COIO_HOOK_LIBRARY = handle(lib, "coio_hook_library", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        COIO_CALL_ROUTINE_SYMBOL = lib.find("coio_call_routine").orElseThrow();
    }

    @SuppressWarnings("restricted") // downcalls: the JVM is run with --enable-native-access
    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd,
                                       Linker.Option... options) {
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libcoio_swap.so has no symbol " + name));
        return Linker.nativeLinker().downcallHandle(symbol, fd, options);
    }

    private static final MethodHandle MALLOC = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("malloc").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle FREE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));

    /** libc malloc, zero-filled, as a segment of {@code size} bytes; freed only by {@link #free}. */
    @SuppressWarnings("restricted")
    static MemorySegment malloc(long size) {
        try {
            MemorySegment m = (MemorySegment) MALLOC.invokeExact(size);
            if (m.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("malloc(" + size + ") failed");
            }
            return m.reinterpret(size).fill((byte) 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void free(MemorySegment m) {
        try {
            FREE.invokeExact(m);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** invokeExact throws Throwable; our natives throw nothing, so anything else is a bug. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("unexpected checked exception from a downcall", t);
    }
}
