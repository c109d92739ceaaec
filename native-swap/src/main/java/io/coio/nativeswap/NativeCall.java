package io.coio.nativeswap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.coio.runtime.CoioRuntime;
import io.coio.runtime.NativeWaits;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Calls of blocking native code that yield to the carrier instead of pinning it: libco's hooked system
 * calls, for C libraries used from Java through FFM.
 *
 * <pre>{@code
 * SymbolLookup pq = SymbolLookup.libraryLookup("libpq.so.5", Arena.global());
 * NativeCall.hookLibrary("libpq.so.5");                   // once: libpq's socket calls become coio's
 * MemorySegment exec = pq.find("PQexec").orElseThrow();
 * long res = NativeCall.call(exec, conn.address(), sql.address());   // in a coio coroutine
 * }</pre>
 *
 * <p>In a coio coroutine, {@link #call} runs the function on a native-swap stack (finished ones are reset
 * and reused, up to 256 kept); when the native
 * code waits for a socket (through a hooked libc call of a {@linkplain #hookLibrary named library}, or
 * {@code coio_poll} itself), the coroutine parks on its carrier's epoll and the carrier runs other
 * coroutines; when the socket is ready the native code continues where it stopped. Anywhere else (a
 * platform thread, a JDK virtual thread) it is a plain call on the calling thread, and the hooked
 * functions behave exactly as libc's.
 *
 * <p>Threads: any. The native code must not call back into Java (no upcalls).
 */
public final class NativeCall {
    /** Stack of each call's native coroutine: generous for client libraries (TLS, DNS, crypto). */
    private static final int STACK_SIZE = 256 * 1024;

    /** Finished call coroutines kept for reuse (co_reset keeps the stack: no mmap/munmap per call). */
    private static final int POOL_MAX = 256;
    private static final ConcurrentLinkedQueue<Pooled> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private static final LongAdder CALLS = new LongAdder();
    private static final LongAdder ON_COROUTINE_STACK = new LongAdder();
    private static final LongAdder CARRIER_WAITS = new LongAdder();
    private static final LongAdder BLOCKING_WAITS = new LongAdder();

    /** Libraries to hook as soon as they are loaded (the agent's {@code hook=} option); empty almost always. */
    private static final java.util.Set<String> PENDING_HOOKS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private NativeCall() {
    }

    /**
     * Hooks each named library ({@link #hookLibrary}) now if it is loaded, else at the first {@link #call} after it
     * is: what the agent's {@code hook=libpq.so.5;...} option does, so that the app need not call
     * {@code hookLibrary} itself. A library that cannot be hooked (other than not loaded yet) is reported once.
     */
    public static void hookWhenLoaded(java.util.Collection<String> names) {
        PENDING_HOOKS.addAll(names);
        hookPending();
    }

    private static void hookPending() {
        for (String name : PENDING_HOOKS) {
            try {
                hookLibrary(name);
                PENDING_HOOKS.remove(name);
            } catch (NativeSwapException e) {
                if (e.errno() != Errno.ENOENT) {
                    PENDING_HOOKS.remove(name);
                    System.err.println("coio: cannot hook the native library " + name + ": " + e.getMessage()
                            + "; its blocking calls block their carrier thread");
                }
            }
        }
    }

    /**
     * Calls {@code function(args...)}: a non-variadic native function taking at most six integer or
     * pointer arguments (pass a {@link MemorySegment}'s {@code address()}) and returning an integer, a
     * pointer or nothing (the result is its {@code rax}, to be narrowed or wrapped by the caller).
     *
     * @throws IllegalArgumentException if more than six arguments are given or {@code function} is NULL
     */
    public static long call(MemorySegment function, long... args) {
        Objects.requireNonNull(function, "function");
        if (function.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("function is the NULL pointer");
        }
        if (args.length > 6) {
            throw new IllegalArgumentException("at most 6 arguments, got " + args.length);
        }
        NativeSwap.ensureAvailable();
        if (!PENDING_HOOKS.isEmpty()) {
            hookPending(); // a library named by the agent's hook= option may have been loaded since
        }
        CALLS.increment();
        if (!CoioRuntime.isCoroutine(Thread.currentThread())) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment call = arena.allocate(Native.CALL);
                fill(call, function, args);
                return ((MemorySegment) Native.COIO_CALL_ROUTINE.invokeExact(call)).address();
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        }
        ON_COROUTINE_STACK.increment();
        Pooled p = POOL.poll();
        if (p != null) {
            POOLED.decrementAndGet();
        } else {
            p = Pooled.create();
        }
        fill(p.call, function, args);
        long result;
        try {
            result = runToEnd(p.co);
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        p.co.reset(); // FINISHED -> CREATED, same stack and call struct
        if (POOLED.incrementAndGet() <= POOL_MAX) {
            POOL.offer(p);
        } else {
            POOLED.decrementAndGet();
            p.close();
        }
        return result;
    }

    private static void fill(MemorySegment call, MemorySegment function, long[] args) {
        call.set(ADDRESS, Native.CALL_FN, function);
        for (int i = 0; i < 6; i++) {
            call.set(JAVA_LONG, Native.CALL_ARGS + 8L * i, i < args.length ? args[i] : 0);
        }
    }

    /**
     * A native coroutine running coio_call_routine on its own call struct. The call and transfer structs
     * are malloc'ed and freed in {@link #close}, not Arena.ofAuto: an automatic arena registers with the
     * JDK's common Cleaner, whose list monitor a burst of coroutines would contend for; under JDK 24+ a
     * coroutine can own that monitor while unmounted, and a carrier thread that needs it then (its own
     * class loading registers Cleaner actions too) can never run that coroutine again.
     */
    private record Pooled(NativeCoroutine co, MemorySegment mem, MemorySegment call) {
        static Pooled create() {
            long size = Native.CALL.byteSize() + Native.TRANSFER.byteSize();
            MemorySegment mem = Native.malloc(size);
            MemorySegment call = mem.asSlice(0, Native.CALL.byteSize());
            MemorySegment transfer = mem.asSlice(Native.CALL.byteSize(), Native.TRANSFER.byteSize());
            try {
                return new Pooled(NativeCoroutine.createWithTransfer(Native.COIO_CALL_ROUTINE_SYMBOL, call,
                        STACK_SIZE, transfer), mem, call);
            } catch (RuntimeException | Error e) {
                Native.free(mem);
                throw e;
            }
        }

        void close() {
            co.close();
            Native.free(mem);
        }
    }

    private static long runToEnd(NativeCoroutine co) {
        Suspension s = co.resume();
        for (;;) {
            switch (s) {
                case Suspension.Finished f -> {
                    return f.result();
                }
                case Suspension.WaitingPoll p -> s = co.resume(awaitPoll(p));
                case Suspension.WaitingFd w -> s = co.resume(awaitFd(w));
                case Suspension.Yielded y -> s = co.resume(); // the function's own co_yield_ct: go on
            }
        }
    }

    private static long awaitPoll(Suspension.WaitingPoll p) {
        if (NativeWaits.await(p.fds(), p.events(), p.timeoutNanos())) {
            CARRIER_WAITS.increment();
            return 0; // look again
        }
        BLOCKING_WAITS.increment();
        return Suspension.WaitingPoll.BLOCK;
    }

    private static long awaitFd(Suspension.WaitingFd w) {
        if (NativeWaits.await(new int[] {w.fd()}, new int[] {w.events()}, -1)) {
            CARRIER_WAITS.increment();
        } else {
            BLOCKING_WAITS.increment(); // nio transport: no epoll to wait on; report it ready (retried)
        }
        return w.events(); // coio_wait_fd's callers retry their operation
    }

    /**
     * Redirects the libc socket, poll and sleep functions that the loaded library {@code name} imports
     * ({@code read write readv writev recv send recvfrom sendto recvmsg sendmsg connect accept accept4 poll
     * select nanosleep usleep sleep}) to coio's versions, by rewriting its GOT entries. Load the library
     * first (e.g. {@code SymbolLookup.libraryLookup(name, Arena.global())}); {@code name} is its file
     * name ({@code libpq.so.5}) or full path. Calls made by the library outside {@link #call} in a coio
     * coroutine behave exactly as before. The rewrite lasts as long as the library stays loaded.
     *
     * @return the number of GOT entries rewritten (0 when already hooked)
     * @throws NativeSwapException if no loaded object has that name, or the rewrite failed
     */
    public static int hookLibrary(String name) {
        Objects.requireNonNull(name, "name");
        NativeSwap.ensureAvailable();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Native.COIO_HOOK_LIBRARY.invokeExact(arena.allocateFrom(name));
            if (rc == -Errno.ENOENT) {
                throw new NativeSwapException("coio_hook_library(" + name + ") (no loaded library has that name:"
                        + " load it first, e.g. SymbolLookup.libraryLookup(name, Arena.global()))", Errno.ENOENT);
            }
            NativeSwapException.check("coio_hook_library(" + name + ")", rc);
            return rc;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Counters since JVM start: see {@link NativeCallStats}. */
    public static NativeCallStats stats() {
        return new NativeCallStats(CALLS.sum(), ON_COROUTINE_STACK.sum(), CARRIER_WAITS.sum(), BLOCKING_WAITS.sum());
    }

    /**
     * @param calls            {@link #call} invocations
     * @param onCoroutineStack of those, run on a native coroutine stack (the caller was a coio coroutine)
     * @param carrierWaits     native waits parked on the carrier's epoll
     * @param blockingWaits    native waits that blocked their OS thread instead (carrier without epoll)
     */
    public record NativeCallStats(long calls, long onCoroutineStack, long carrierWaits, long blockingWaits) {
    }
}
