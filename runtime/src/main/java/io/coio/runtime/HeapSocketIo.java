package io.coio.runtime;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A coroutine's {@code java.net.Socket} read or write done by coio: {@code recv(2)}/{@code send(2)} straight into or
 * out of the app's {@code byte[]}, where the JDK's {@code NioSocketImpl.tryRead}/{@code tryWrite} copy through a
 * temporary direct buffer and call {@code read(2)}/{@code write(2)} through JNI: two passes over every byte of a
 * bulk body, and the VFS layer of {@code read}/{@code write}, which {@code recv}/{@code send} skip (docs/benchmark.md,
 * "Where the time goes", and docs/design-notes.md, "Socket reads and writes on the app's array").
 *
 * <p>Used only for a tracked attempt ({@link Hooks#beforeSocketIo} returned an edge count): a coroutine's, on a
 * socket it has waited on, which the JDK has made non-blocking for it. So the call never waits, and the downcall
 * may be <em>critical</em> ({@link Linker.Option#critical(boolean)} with heap access): no thread-state transition
 * and the array passed in place. A critical call holds off safepoints while it runs; the JDK bounds each attempt to
 * 128 KiB ({@code NioSocketImpl.MAX_BUFFER_SIZE}), a copy of a few microseconds to tens of them.
 *
 * <p>Results and errors are the JDK's own ({@code SocketDispatcher.read0}/{@code write0} and {@code convertReturnVal}
 * in its {@code libnio}): bytes, {@code 0} bytes read is end of stream ({@code -1}), {@code EAGAIN} is
 * {@code IOStatus.UNAVAILABLE} ({@code -2}), {@code EINTR} is {@code IOStatus.INTERRUPTED} ({@code -3}); a read that
 * fails with {@code ECONNRESET} or {@code EPIPE} throws {@code sun.net.ConnectionResetException("Connection reset")};
 * any other failure throws {@code IOException} with the C library's text for {@code errno}, as the JDK's
 * {@code JNU_ThrowIOExceptionWithLastError} does. {@code send} passes {@code MSG_NOSIGNAL}: the JVM ignores
 * {@code SIGPIPE} anyway, and the write fails with {@code EPIPE} either way.
 *
 * <p>Linking the two downcalls costs ~60–80 ms of CPU (the FFM linker spins its stubs), which coio keeps off the
 * JVM's start-up: the first tracked attempt after the agent's install has succeeded ({@link #allowLink}) starts
 * the link on a short-lived daemon thread of coio's ({@code coio-link}) and is itself done by the JDK, as is every
 * attempt until the link is done. A link that fails is said once on stderr, and the JDK keeps doing every attempt:
 * nothing else changes. The one JDK member this needs, {@code sun.net.ConnectionResetException(String)}, is checked
 * at install ({@link #checkJdk}).
 *
 * <p>Threads: any coroutine; the link is published through a volatile field.
 */
final class HeapSocketIo {
    /** What {@link #io} returns when it did nothing (the JDK's own code runs). */
    static final int NOT_DONE = Integer.MIN_VALUE;

    private static final int IOS_EOF = -1;
    private static final int IOS_UNAVAILABLE = -2;
    private static final int IOS_INTERRUPTED = -3;
    // Linux errno values and send flags (coio's epoll carriers are Linux-only)
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EPIPE = 32;
    private static final int ECONNRESET = 104;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final String CONNECTION_RESET = "sun.net.ConnectionResetException";

    /** This JVM's link of the downcalls (they are the same for every runtime and carrier). */
    private static final Link LINK = new Link();

    private HeapSocketIo() {
    }

    /** At install: fails, naming it, if the JDK lacks the exception its socket reads throw for a reset connection. */
    static void checkJdk() {
        try {
            Class.forName(CONNECTION_RESET, false, null).getConstructor(String.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("coio reads sockets into the app's arrays and needs " + CONNECTION_RESET
                    + "(String), the exception the JDK throws for a reset connection (" + e + ")", e);
        }
    }

    /**
     * Lets the first tracked attempt from now on start the link: called once the agent's install has succeeded, so
     * that neither its self-check nor a failed install leaves a {@code coio-link} thread or its CPU at start-up.
     */
    static void allowLink() {
        LINK.allow();
    }

    /**
     * Reads into {@code b[off, off + len)} or writes it to the non-blocking socket {@code fd} and returns what the
     * JDK's {@code tryRead}/{@code tryWrite} would; or {@link #NOT_DONE} (nothing done) while the downcalls are
     * not linked yet. Called by a coroutine.
     */
    static int io(int fd, boolean write, byte[] b, int off, int len) throws IOException {
        Downcalls d = LINK.downcallsOrStart();
        return d == null ? NOT_DONE : d.io(fd, write, b, off, len);
    }

    /**
     * The downcalls, linked once on a thread of coio's. States and transitions: not allowed → allowed
     * ({@link #allow}: the install succeeded) → linking (the first {@link #downcallsOrStart} since, on
     * {@code coio-link}) → linked, or failed (said once on stderr; the JDK keeps doing every attempt). Any thread;
     * published through volatile fields.
     */
    static final class Link {
        /**
         * The linking thread, made (not started) by {@link #allow} on the installing thread: then the coroutine whose
         * attempt starts the link loads no class and makes no thread, only starts this one — it may be pinned (a
         * class initializer), where loading a class from the agent's jar is file I/O and a hand-off. Null until
         * allowed: the install's self-check must not start a link.
         */
        private volatile Thread thread;
        private final AtomicBoolean started = new AtomicBoolean();
        private volatile Downcalls downcalls;
        /** Links the downcalls (tests: one that fails). */
        private final java.util.function.Supplier<Downcalls> linker;

        Link() {
            this(new java.util.function.Supplier<Downcalls>() { // not a lambda: none of coio's is spun
                @Override
                public Downcalls get() {
                    return new Downcalls();
                }
            });
        }

        Link(java.util.function.Supplier<Downcalls> linker) {
            this.linker = linker;
        }

        /** From now on the first caller starts the link. Makes its thread, clean, in the installing thread's group. */
        void allow() {
            thread = CleanThread.unstarted(Thread.currentThread().getThreadGroup(), "coio-link", new Runnable() {
                @Override
                public void run() {
                    try {
                        downcalls = linker.get();
                    } catch (Throwable e) {
                        System.err.println("coio: cannot link recv/send for socket I/O on the app's arrays (" + e
                                + "); the JDK's copy through a direct buffer stays in use.");
                    }
                }
            });
        }

        /** The downcalls, or null: then the first caller since {@link #allow} has started the link. */
        Downcalls downcallsOrStart() {
            Downcalls d = downcalls;
            if (d == null) {
                Thread t = thread;
                if (t != null && started.compareAndSet(false, true)) {
                    t.start();
                }
            }
            return d;
        }

        /** Tests: the linking thread once allowed, else null. */
        Thread thread() {
            return thread;
        }
    }

    /** The linked downcalls and the JDK's exception constructor. Immutable. */
    static final class Downcalls {
        private final MethodHandle recv;
        private final MethodHandle send;
        private final MethodHandle strerror;
        private final MethodHandle connectionReset;
        private final VarHandle errno;
        private final int stateInts;

        Downcalls() {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor io = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
            // critical: no thread-state transition, the heap array passed in place (the socket never blocks)
            Linker.Option[] critical = {Linker.Option.critical(true), Linker.Option.captureCallState("errno")};
            recv = linker.downcallHandle(symbol(linker, "recv"), io, critical);
            send = linker.downcallHandle(symbol(linker, "send"), io, critical);
            strerror = linker.downcallHandle(symbol(linker, "strerror"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            StructLayout state = Linker.Option.captureStateLayout();
            errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            stateInts = (int) ((state.byteSize() + Integer.BYTES - 1) / Integer.BYTES);
            try {
                connectionReset = MethodHandles.lookup()
                        .findConstructor(Class.forName(CONNECTION_RESET, false, null),
                                MethodType.methodType(void.class, String.class))
                        .asType(MethodType.methodType(IOException.class, String.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private static MemorySegment symbol(Linker linker, String name) {
            java.util.Optional<MemorySegment> s = linker.defaultLookup().find(name); // no lambda: none spun by coio
            if (s.isEmpty()) {
                throw new IllegalStateException("the C library has no " + name);
            }
            return s.get();
        }

        int io(int fd, boolean write, byte[] b, int off, int len) throws IOException {
            MemorySegment buffer = MemorySegment.ofArray(b).asSlice(off, len);
            MemorySegment state = MemorySegment.ofArray(new int[stateInts]); // errno, captured right after the call
            long n;
            try {
                n = write ? (long) send.invokeExact(state, fd, buffer, (long) len, MSG_NOSIGNAL)
                        : (long) recv.invokeExact(state, fd, buffer, (long) len, 0);
            } catch (Throwable t) {
                // never after the call: a downcall throws only when it cannot be made
                throw new IllegalStateException("coio could not call " + (write ? "send" : "recv"), t);
            }
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return write ? 0 : IOS_EOF;
            }
            int e = (int) errno.get(state, 0L);
            if (e == EAGAIN) {
                return IOS_UNAVAILABLE;
            }
            if (e == EINTR) {
                return IOS_INTERRUPTED;
            }
            if (!write && (e == ECONNRESET || e == EPIPE)) {
                throw newException(connectionReset, "Connection reset");
            }
            throw new IOException(errorText(e));
        }

        private static IOException newException(MethodHandle constructor, String message) {
            try {
                return (IOException) constructor.invokeExact(message);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        private String errorText(int e) {
            try {
                MemorySegment text = (MemorySegment) strerror.invokeExact(e);
                return text.reinterpret(1024).getString(0);
            } catch (Throwable t) {
                return "errno " + e;
            }
        }
    }
}
