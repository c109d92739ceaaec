package io.coio.nativeswap;

import static io.coio.nativeswap.Coroutines.LIMIT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GOT hooks (coio_hook_library) on libcoio_hooktest.so, a library that knows nothing of coio and makes
 * plain blocking libc calls: under {@link NativeCall#call} in a coroutine they yield to the carrier; the
 * sockets stay as the library made them; its own timeouts hold; elsewhere they are libc's.
 */
class NativeHookTest {
    private static final String LIB = "libcoio_hooktest.so";
    private static final long EAGAIN = 11;
    private static final long EINPROGRESS = 115;
    private static final int O_NONBLOCK = 04000;
    private static final int POLLIN = 1;
    private static SymbolLookup lib;
    private static int hooked;
    private static ServerSocket echoServer;

    @BeforeAll
    @SuppressWarnings("restricted")
    static void hook() throws Exception {
        TestLib.assumeNative();
        Path path = Path.of(System.getProperty("coio.nativeswap.testlib")).resolveSibling(LIB);
        lib = SymbolLookup.libraryLookup(path, Arena.global());
        hooked = NativeCall.hookLibrary(LIB);
        echoServer = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(NativeHookTest::serveEcho);
    }

    @AfterAll
    static void stop() throws Exception {
        if (echoServer != null) {
            echoServer.close();
        }
    }

    @Test
    void theLibrarysImportsAreRewrittenOnce() {
        // it imports 9 of the hooked functions: read write recv send connect accept poll select nanosleep
        // (close, fcntl, socket, setsockopt, bind, listen, getsockname stay libc's)
        assertEquals(9, hooked, "GOT entries rewritten");
        assertEquals(0, NativeCall.hookLibrary(LIB), "a second hook rewrote entries again");
    }

    @Test
    void blockingRecvYieldsTheCarrierAndTheSocketStaysBlocking() throws Throwable {
        int[] fds = NativeCallTest.socketPair(false);
        MemorySegment buf = Arena.global().allocate(64);
        long pinned = Coroutines.pinnedFallbacks();
        Coroutines.Running<Long> reader = Coroutines.start("hooked-recv",
                () -> NativeCall.call(fn("hooktest_recv"), fds[0], buf.address(), 64));
        Coroutines.awaitParked(reader.thread());
        Coroutines.Running<Long> writer = Coroutines.start("hooked-write", () -> {
            try (Arena a = Arena.ofConfined()) {
                return NativeCall.call(fn("hooktest_write"), fds[1], a.allocateFrom("ping").address(), 4);
            }
        });
        assertEquals(4L, writer.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(4L, reader.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("ping", buf.getString(0).substring(0, 4));
        assertEquals(0, NativeCall.call(fn("hooktest_flags"), fds[0]) & O_NONBLOCK, "the library's socket became non-blocking");
        assertEquals(pinned, Coroutines.pinnedFallbacks());
        NativeCallTest.closeAll(fds);
    }

    @Test
    void blockingReadYieldsToo() throws Throwable {
        int[] fds = NativeCallTest.socketPair(false);
        MemorySegment buf = Arena.global().allocate(64);
        Coroutines.Running<Long> reader = Coroutines.start("hooked-read",
                () -> NativeCall.call(fn("hooktest_read"), fds[0], buf.address(), 64));
        Coroutines.awaitParked(reader.thread());
        Coroutines.start("writer", () -> TestLib.write(fds[1], "abc")).result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(3L, reader.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        NativeCallTest.closeAll(fds);
    }

    @Test
    void theSocketsOwnReceiveTimeoutIsHonoured() throws Throwable {
        int[] fds = NativeCallTest.socketPair(false);
        MemorySegment buf = Arena.global().allocate(64);
        assertEquals(0, NativeCall.call(fn("hooktest_set_rcvtimeo"), fds[0], 150));
        Coroutines.Running<long[]> reader = Coroutines.start("timed-recv", () -> {
            long start = System.nanoTime();
            long r = NativeCall.call(fn("hooktest_recv"), fds[0], buf.address(), 64);
            return new long[] {r, System.nanoTime() - start};
        });
        long[] out = reader.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(-EAGAIN, out[0], "a timed-out blocking recv fails with EAGAIN, as the kernel's");
        assertTrue(out[1] >= TimeUnit.MILLISECONDS.toNanos(150), "returned after " + out[1] + " ns");
        // outside a coroutine the same call is libc's (and the kernel's timeout)
        assertEquals(-EAGAIN, NativeCall.call(fn("hooktest_recv"), fds[0], buf.address(), 64));
        NativeCallTest.closeAll(fds);
    }

    @Test
    void pollAndSelectWaitOnTheCarrierWithTheirTimeouts() throws Throwable {
        int[] fds = NativeCallTest.socketPair(false);
        long waits = NativeCall.stats().carrierWaits();
        Coroutines.Running<long[]> timedOut = Coroutines.start("poll-timeout", () -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment rev = a.allocate(JAVA_INT);
                long start = System.nanoTime();
                long p = NativeCall.call(fn("hooktest_poll_in"), fds[0], 120, rev.address());
                long mid = System.nanoTime();
                long s = NativeCall.call(fn("hooktest_select_in"), fds[0], 120);
                return new long[] {p, mid - start, s, System.nanoTime() - mid};
            }
        });
        long[] t = timedOut.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, t[0]);
        assertTrue(t[1] >= TimeUnit.MILLISECONDS.toNanos(120), "poll returned after " + t[1] + " ns");
        assertEquals(0, t[2]);
        assertTrue(t[3] >= TimeUnit.MILLISECONDS.toNanos(120), "select returned after " + t[3] + " ns");

        Coroutines.Running<long[]> ready = Coroutines.start("poll-ready", () -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment rev = a.allocate(JAVA_INT);
                long p = NativeCall.call(fn("hooktest_poll_in"), fds[0], -1, rev.address());
                long s = NativeCall.call(fn("hooktest_select_in"), fds[0], -1);
                return new long[] {p, rev.get(JAVA_INT, 0), s};
            }
        });
        Coroutines.awaitParked(ready.thread());
        TestLib.write(fds[1], "x");
        long[] r = ready.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, r[0]);
        assertEquals(POLLIN, r[1] & POLLIN);
        assertEquals(1, r[2]);
        assertTrue(NativeCall.stats().carrierWaits() >= waits + 3, "waits did not park on the carrier");
        NativeCallTest.closeAll(fds);
    }

    @Test
    void nanosleepParksInsteadOfBlocking() throws Throwable {
        long waits = NativeCall.stats().carrierWaits();
        Coroutines.Running<Long> sleeper = Coroutines.start("sleeper", () -> {
            long start = System.nanoTime();
            assertEquals(0, NativeCall.call(fn("hooktest_sleep_ms"), 200));
            return System.nanoTime() - start;
        });
        Coroutines.awaitParked(sleeper.thread());
        assertEquals("ran", Coroutines.start("other", () -> "ran").result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(sleeper.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS) >= TimeUnit.MILLISECONDS.toNanos(200));
        assertTrue(NativeCall.stats().carrierWaits() > waits);
    }

    @Test
    void blockingTcpClientsConnectSendAndReceiveFromOneCarrier() throws Throwable {
        int n = 100;
        long pinned = Coroutines.pinnedFallbacks();
        List<Coroutines.Running<String>> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String msg = "hello-" + i + "-" + "x".repeat(i);
            clients.add(Coroutines.start("client-" + i, () -> {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment out = a.allocate(msg.length() + 1);
                    long r = NativeCall.call(fn("hooktest_echo_client"), echoServer.getLocalPort(),
                            a.allocateFrom(msg).address(), out.address(), msg.length());
                    return r < 0 ? "error " + r : out.getString(0).substring(0, (int) r);
                }
            }));
        }
        for (int i = 0; i < n; i++) {
            assertEquals("hello-" + i + "-" + "x".repeat(i), clients.get(i).result().get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(pinned, Coroutines.pinnedFallbacks());
    }

    @Test
    void outsideACoroutineTheHookedCallsAreLibcs() throws Throwable {
        int[] fds = NativeCallTest.socketPair(false);
        MemorySegment buf = Arena.global().allocate(64);
        CompletableFuture<Long> r = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> r.complete(NativeCall.call(fn("hooktest_recv"), fds[0], buf.address(), 64)));
        TestLib.write(fds[1], "blocking");
        assertEquals(8L, r.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        t.join();
        assertEquals(0, NativeCall.call(fn("hooktest_flags"), fds[0]) & O_NONBLOCK);
        NativeCallTest.closeAll(fds);
    }

    @Test
    void aBlockingWriteLargerThanTheSocketBufferSendsEverythingWhileParking() throws Throwable {
        int[] fds = NativeCallTest.socketPair(false);
        int size = 4 << 20;
        MemorySegment data = Arena.global().allocate(size);
        for (int i = 0; i < size; i++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
        long waits = NativeCall.stats().carrierWaits();
        Coroutines.Running<Long> writer = Coroutines.start("big-write",
                () -> NativeCall.call(fn("hooktest_write"), fds[1], data.address(), size));
        // a platform thread drains the other end with plain blocking reads, checking every byte
        CompletableFuture<Long> drained = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            MemorySegment buf = Arena.ofAuto().allocate(65536);
            long got = 0;
            while (got < size) {
                long n = NativeCall.call(fn("hooktest_read"), fds[0], buf.address(), 65536);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != (byte) ((got + i) * 31 + 7)) {
                        drained.completeExceptionally(new AssertionError("byte " + (got + i) + " differs"));
                        return;
                    }
                }
                got += n;
            }
            drained.complete(got);
        });
        assertEquals((long) size, writer.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS), "a blocking write returns all it was given");
        assertEquals((long) size, drained.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(NativeCall.stats().carrierWaits() > waits, "the write never waited for buffer space");
        NativeCallTest.closeAll(fds);
    }

    @Test
    void blockingAcceptParksUntilAClientConnects() throws Throwable {
        int port;
        long listener;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            listener = NativeCall.call(fn("hooktest_listen"), p.address());
            assertTrue(listener >= 0, "listen failed: " + listener);
            port = p.get(JAVA_INT, 0);
        }
        long fd = listener;
        Coroutines.Running<Long> acceptor = Coroutines.start("acceptor", () -> NativeCall.call(fn("hooktest_accept"), fd));
        Coroutines.awaitParked(acceptor.thread());
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            long accepted = acceptor.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(accepted >= 0, "accept failed: " + accepted);
            NativeCall.call(fn("hooktest_close"), accepted);
        }
        NativeCall.call(fn("hooktest_close"), fd);
    }

    @Test
    void aConnectThatCannotCompleteEndsAtTheSocketsSendTimeout() throws Throwable {
        // A listener with backlog 1 that never accepts: once its queue is full, Linux drops further SYNs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (java.net.SocketTimeoutException e) {
                        s.close();
                        break; // the queue is full
                    }
                }
                Coroutines.Running<long[]> connector = Coroutines.start("connector", () -> {
                    long start = System.nanoTime();
                    long r = NativeCall.call(fn("hooktest_connect_timeout"), full.getLocalPort(), 200);
                    return new long[] {r, System.nanoTime() - start};
                });
                long[] out = connector.result().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(-EINPROGRESS, out[0], "a blocking connect that timed out reports EINPROGRESS, as the kernel's");
                assertTrue(out[1] >= TimeUnit.MILLISECONDS.toNanos(200), "gave up after " + out[1] + " ns");
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    private static MemorySegment fn(String name) {
        return lib.find(name).orElseThrow();
    }

    /** A platform-thread echo server: reads what a client sends and writes it back, until the client closes. */
    private static void serveEcho() {
        while (!echoServer.isClosed()) {
            try {
                Socket s = echoServer.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        byte[] b = new byte[4096];
                        int n;
                        while ((n = in.read(b)) > 0) {
                            out.write(b, 0, n);
                        }
                    } catch (Exception ignored) {
                        // client gone
                    }
                });
            } catch (Exception e) {
                return;
            }
        }
    }
}
