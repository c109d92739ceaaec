package io.coio.nativeswap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A coroutine running native code on its own native stack: libco's {@code co_create} /
 * {@code co_resume} seen from Java.
 *
 * <p>The routine is a native function {@code void *routine(void *arg)}. Each {@link #resume}
 * runs it (on the calling thread) until it yields a value, asks to wait for a file descriptor,
 * or returns; the {@link Suspension} says which. Native code yields with {@code coio_yield},
 * {@code co_yield_ct} or {@code coio_wait_fd} (header {@code coio_swap.h}).
 *
 * <pre>{@code
 * try (NativeCoroutine co = NativeCoroutine.create(routine, arg)) {
 *     Suspension s = co.resume();
 *     while (!(s instanceof Suspension.Finished)) {
 *         if (s instanceof Suspension.WaitingFd w) { int revents = waitFor(w.fd(), w.events()); s = co.resume(revents); }
 *         else s = co.resume();
 *     }
 * }
 * }</pre>
 *
 * <p>Threads: not thread-safe, but need not stay on one thread: a suspended coroutine may be
 * resumed from any thread (virtual or platform), provided its native code keeps no thread-local
 * addresses across a yield. Two concurrent {@code resume} calls are refused with
 * {@link IllegalStateException}. The native code must not call back into Java (no upcalls): the
 * JVM must never see Java frames on a coroutine stack.
 *
 * <p>{@link #close()} frees the stack; a coroutine closed while suspended is abandoned, not
 * unwound (as {@code co_release}).
 */
public final class NativeCoroutine implements AutoCloseable {

    /** Lifecycle as seen from Java. */
    public enum State {
        /** Created, not yet resumed (or {@link #reset()}). */
        CREATED,
        /** Inside a {@link #resume} call. */
        RUNNING,
        /** Yielded or waiting for a descriptor; can be resumed. */
        SUSPENDED,
        /** Its routine returned. */
        FINISHED,
        /** {@link #close()}d. */
        CLOSED
    }

    /*
     * `guard` serializes resume/reset/close:
     *   IDLE   -> BUSY    // resume, reset, state (compareAndSet; failure: concurrent use)
     *   BUSY   -> IDLE    // the operation completed
     *   IDLE   -> CLOSED  // close
     */
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;
    private static final VarHandle GUARD;

    static {
        try {
            GUARD = MethodHandles.lookup().findVarHandle(NativeCoroutine.class, "guard", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemorySegment handle;      // stCoRoutine_t*; freed by close
    private final MemorySegment transfer;    // coio_transfer; touched only while BUSY
    private final SharedStack sharedStack;   // kept reachable while we use it; may be null
    @SuppressWarnings("unused") // via GUARD
    private volatile int guard;

    private NativeCoroutine(MemorySegment handle, SharedStack sharedStack, MemorySegment transfer) {
        this.handle = handle;
        this.sharedStack = sharedStack;
        this.transfer = transfer != null ? transfer : Arena.ofAuto().allocate(Native.TRANSFER);
    }

    /**
     * For {@link NativeCall}: a private-stack coroutine whose coio_transfer is {@code transfer}, memory the
     * caller owns and frees after {@link #close()} (no Cleaner registration: see NativeCall).
     */
    static NativeCoroutine createWithTransfer(MemorySegment routine, MemorySegment arg, int stackSize,
                                              MemorySegment transfer) {
        return create(routine, arg, stackSize, null, Objects.requireNonNull(transfer, "transfer"));
    }

    /** A coroutine with a private 128 KiB stack (libco's default) that will run {@code routine(arg)}. */
    public static NativeCoroutine create(MemorySegment routine, MemorySegment arg) {
        return create(routine, arg, 0, null);
    }

    /**
     * A coroutine with a private stack of {@code stackSize} bytes: rounded up to pages, at most
     * 8 MiB, and 0 or less means 128 KiB (libco's rules). A guard page below it turns overflow
     * into a crash (SIGSEGV) instead of memory corruption.
     */
    public static NativeCoroutine create(MemorySegment routine, MemorySegment arg, int stackSize) {
        return create(routine, arg, stackSize, null);
    }

    /** A coroutine on a {@link SharedStack} (same thread-confinement rules as the stack). */
    public static NativeCoroutine create(MemorySegment routine, MemorySegment arg, SharedStack stack) {
        return create(routine, arg, 0, Objects.requireNonNull(stack, "stack"));
    }

    private static NativeCoroutine create(MemorySegment routine, MemorySegment arg, int stackSize,
                                          SharedStack stack) {
        return create(routine, arg, stackSize, stack, null);
    }

    private static NativeCoroutine create(MemorySegment routine, MemorySegment arg, int stackSize,
                                          SharedStack stack, MemorySegment transfer) {
        Objects.requireNonNull(routine, "routine");
        Objects.requireNonNull(arg, "arg (use MemorySegment.NULL for none)");
        if (routine.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("routine is the NULL pointer");
        }
        NativeSwap.ensureAvailable(); // the clear error, rather than a failed class init
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(Native.ATTR);
            attr.set(JAVA_INT, Native.ATTR_STACK_SIZE, stackSize);
            attr.set(ADDRESS, Native.ATTR_SHARE_STACK, stack == null ? MemorySegment.NULL : stack.handle());
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) Native.CO_CREATE.invokeExact(out, attr, routine, arg);
            NativeSwapException.check("co_create", rc);
            return new NativeCoroutine(out.get(ADDRESS, 0), stack, transfer);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@link #resume(long) resume(0)}. */
    public Suspension resume() {
        return resume(0);
    }

    /**
     * Runs the coroutine until it next gives control back. {@code value} is what the pending
     * {@code coio_yield} / {@code coio_wait_fd} returns on the native side (by convention the
     * poll revents after a {@link Suspension.WaitingFd}); the first resume has nowhere to pass it.
     *
     * @throws IllegalStateException if the coroutine finished, is closed, or is being resumed
     *                               concurrently by another thread
     */
    public Suspension resume(long value) {
        enter();
        try {
            transfer.set(JAVA_LONG, Native.TRANSFER_VALUE, value);
            int kind = (int) Native.COIO_RESUME.invokeExact(handle, transfer);
            if (kind == -Errno.EINVAL && nativeState() == Native.COIO_STATE_FINISHED) {
                throw new IllegalStateException("coroutine already finished");
            }
            NativeSwapException.check("coio_resume", kind);
            long out = transfer.get(JAVA_LONG, Native.TRANSFER_VALUE);
            return switch (kind) {
                case Native.COIO_YIELDED -> new Suspension.Yielded(out);
                case Native.COIO_WAIT_FD -> new Suspension.WaitingFd(
                        transfer.get(JAVA_INT, Native.TRANSFER_FD), transfer.get(JAVA_INT, Native.TRANSFER_EVENTS));
                case Native.COIO_WAIT_POLL -> waitingPoll(out);
                case Native.COIO_FINISHED -> new Suspension.Finished(out);
                default -> throw new AssertionError("coio_resume returned " + kind);
            };
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            exit();
        }
    }

    /** Reads the coio_poll_request at {@code address} (valid while the coroutine is suspended). */
    @SuppressWarnings("restricted") // the request and its pollfds live on the suspended coroutine's stack
    private static Suspension.WaitingPoll waitingPoll(long address) {
        MemorySegment req = MemorySegment.ofAddress(address).reinterpret(Native.POLL_REQUEST.byteSize());
        int n = req.get(JAVA_INT, Native.POLL_REQUEST_NFDS);
        long timeout = req.get(JAVA_LONG, Native.POLL_REQUEST_TIMEOUT);
        int[] fds = new int[n];
        int[] events = new int[n];
        if (n > 0) {
            MemorySegment p = req.get(ADDRESS, Native.POLL_REQUEST_FDS).reinterpret(n * Native.POLLFD_SIZE);
            for (int i = 0; i < n; i++) {
                fds[i] = p.get(JAVA_INT, i * Native.POLLFD_SIZE);
                events[i] = p.get(JAVA_SHORT, i * Native.POLLFD_SIZE + Native.POLLFD_EVENTS);
            }
        }
        return new Suspension.WaitingPoll(fds, events, timeout);
    }

    /** Makes a suspended or finished coroutine start over on the next resume (co_reset). */
    public void reset() {
        enter();
        try {
            Native.CO_RESET.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            exit();
        }
    }

    /** The current state; {@link State#RUNNING} while another thread is inside {@link #resume}. */
    public State state() {
        if (!GUARD.compareAndSet(this, IDLE, BUSY)) {
            return (int) GUARD.getVolatile(this) == CLOSED ? State.CLOSED : State.RUNNING;
        }
        try {
            return switch (nativeState()) {
                case Native.COIO_STATE_CREATED -> State.CREATED;
                case Native.COIO_STATE_SUSPENDED -> State.SUSPENDED;
                case Native.COIO_STATE_FINISHED -> State.FINISHED;
                default -> State.RUNNING; // on a native resume chain
            };
        } finally {
            exit();
        }
    }

    /** Frees the coroutine and its stack (co_release). Idempotent. */
    @Override
    public void close() {
        int g;
        do {
            g = (int) GUARD.getVolatile(this);
            if (g == CLOSED) {
                return;
            }
            if (g == BUSY) {
                throw new IllegalStateException("cannot close a coroutine while it is being resumed");
            }
        } while (!GUARD.compareAndSet(this, IDLE, CLOSED));
        try {
            Native.CO_RELEASE.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private int nativeState() {
        try {
            return (int) Native.COIO_STATE.invokeExact(handle);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private void enter() {
        if (!GUARD.compareAndSet(this, IDLE, BUSY)) {
            throw new IllegalStateException((int) GUARD.getVolatile(this) == CLOSED
                    ? "coroutine is closed" : "coroutine is being resumed by another thread");
        }
    }

    private void exit() {
        GUARD.setVolatile(this, IDLE);
    }

    @Override
    public String toString() {
        return "NativeCoroutine[" + state() + (sharedStack != null ? ", shared stack" : "") + "]";
    }
}
