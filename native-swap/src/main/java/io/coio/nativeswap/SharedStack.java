package io.coio.nativeswap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A set of native stacks shared by copying ({@code co_alloc_sharestack}): coroutines created on
 * it keep only their used stack bytes while suspended, so very many fit in little memory, at the
 * price of a copy when a coroutine is switched in after another used its stack.
 *
 * <p>Thread confinement: a shared stack and all coroutines on it must be resumed by one thread at
 * a time (they take turns on the same memory). {@link #close()} frees it once the last of its
 * coroutines is closed.
 */
public final class SharedStack implements AutoCloseable {
    private final MemorySegment handle;
    private final int count;
    private final int stackSize;
    private boolean closed; // guarded by this

    private SharedStack(MemorySegment handle, int count, int stackSize) {
        this.handle = handle;
        this.count = count;
        this.stackSize = stackSize;
    }

    /**
     * Allocates {@code count} stacks of {@code stackSize} bytes (rounded up to pages; 0 or less
     * means 128 KiB), each with a guard page.
     *
     * @throws NativeSwapException with the errno, e.g. EINVAL for {@code count <= 0}
     */
    public static SharedStack allocate(int count, int stackSize) {
        NativeSwap.ensureAvailable();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.CALL_STATE);
            MemorySegment ss = (MemorySegment) Native.CO_ALLOC_SHARESTACK.invokeExact(state, count, stackSize);
            if (ss.equals(MemorySegment.NULL)) {
                throw new NativeSwapException("co_alloc_sharestack", Native.errno(state));
            }
            return new SharedStack(ss, count, stackSize);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The number of stacks; coroutines are bound to them round-robin. */
    public int count() {
        return count;
    }

    /** The requested size of each stack. */
    public int stackSize() {
        return stackSize;
    }

    synchronized MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("shared stack is closed");
        }
        return handle;
    }

    /** Releases the stacks; deferred natively until every coroutine on them is closed. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Native.CO_RELEASE_SHARESTACK.invokeExact(handle);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        }
    }
}
