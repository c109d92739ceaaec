package io.coio.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness waits through {@link Hooks#poll} on real loopback sockets, driven directly (the agent's Poller
 * rewrite is what calls it in production; integration-tests cover that path).
 */
class ReadinessTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static CoioRuntime runtime;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start() {
        runtime = CoioRuntime.start(2);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void coroutinesAreVirtualThreadsOnCoioCarriers() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread t = runtime.newCoroutine("probe", () -> seen.complete(Thread.currentThread().toString()));
        assertTrue(t.isVirtual());
        assertTrue(CoioRuntime.isCoroutine(t));
        t.start();
        String s = seen.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(s.contains("probe") && s.contains("@coio-carrier-"), s);
        assertFalse(CoioRuntime.isCoroutine(Thread.currentThread()));
    }

    @Test
    void pollIsLeftToTheJdkForThreadsThatAreNotCoroutines() throws Exception {
        SocketChannel[] pair = pair();
        assertFalse(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true), "platform thread");
        CompletableFuture<Boolean> onPlainVirtual = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                onPlainVirtual.complete(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true));
            } catch (Throwable e) {
                onPlainVirtual.completeExceptionally(e);
            }
        });
        assertFalse(onPlainVirtual.get(LIMIT.toSeconds(), TimeUnit.SECONDS), "JDK-scheduled virtual thread");
    }

    @Test
    void readWaitParksUntilThePeerWrites() throws Exception {
        SocketChannel[] pair = pair();
        long wakeupsBefore = sum(CarrierStats::wakeups);
        AtomicBoolean returned = new AtomicBoolean();
        Thread t = coroutine(() -> {
            assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true));
            returned.set(true);
        });
        awaitState(t, Thread.State.WAITING);
        assertFalse(returned.get(), "poll returned before the peer wrote");
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(t.join(LIMIT), "not woken by readiness");
        assertTrue(returned.get());
        assertTrue(sum(CarrierStats::wakeups) > wakeupsBefore, "the wake-up was not counted as readiness");
    }

    @Test
    void timeoutEndsTheWaitNoEarlierThanAsked() throws Exception {
        SocketChannel[] pair = pair();
        long nanos = TimeUnit.MILLISECONDS.toNanos(150);
        long[] elapsed = new long[1];
        Thread t = coroutine(() -> {
            long start = System.nanoTime();
            assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, nanos, () -> true));
            elapsed[0] = System.nanoTime() - start;
        });
        assertTrue(t.join(LIMIT), "timed wait never ended");
        assertTrue(elapsed[0] >= nanos, "woke after " + elapsed[0] + " ns, before the " + nanos + " ns timeout");
    }

    @Test
    void stopPollFromAnotherThreadWakesTheWaiter() throws Exception {
        SocketChannel[] pair = pair();
        Thread t = coroutine(() -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true)));
        awaitState(t, Thread.State.WAITING);
        Hooks.stopPoll(fd(pair[0]));
        assertTrue(t.join(LIMIT), "stopPoll did not wake the waiter");
    }

    @Test
    void interruptWakesTheWaiter() throws Exception {
        SocketChannel[] pair = pair();
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread t = coroutine(() -> {
            assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true));
            interrupted.set(Thread.currentThread().isInterrupted());
        });
        awaitState(t, Thread.State.WAITING);
        t.interrupt();
        assertTrue(t.join(LIMIT), "interrupt did not wake the waiter");
        assertTrue(interrupted.get());
    }

    @Test
    void closedSocketIsNotWaitedOn() throws Exception {
        SocketChannel[] pair = pair();
        Thread t = coroutine(() -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> false)));
        assertTrue(t.join(LIMIT), "a wait on a closed socket (isOpen false) must return at once");
    }

    @Test
    void readerAndWriterOfOneSocketShareItsRegistration() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        // Fill the send path so that a write wait really waits.
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        for (int i = 0; i < 10_000 && pair[0].write(chunk.clear()) > 0; i++) {
            // keep writing until the kernel buffers are full
        }
        // Virtual threads started by a coroutine inherit its carrier: both waits land in one epoll, on one
        // registration of the fd (a second epoll_ctl ADD of the same fd would fail with EEXIST).
        CompletableFuture<Thread[]> started = new CompletableFuture<>();
        coroutine(() -> started.complete(new Thread[] {
                Thread.ofVirtual().start(() -> poll(pair[0], Hooks.POLLOUT)),
                Thread.ofVirtual().start(() -> poll(pair[0], Hooks.POLLIN))}));
        Thread writer = started.get(LIMIT.toSeconds(), TimeUnit.SECONDS)[0];
        Thread reader = started.get()[1];
        assertTrue(CoioRuntime.isCoroutine(writer));
        assertEquals(JdkInternals.carrierOf(writer), JdkInternals.carrierOf(reader), "inherited carrier");
        awaitState(writer, Thread.State.WAITING);
        awaitState(reader, Thread.State.WAITING);
        pair[1].write(ByteBuffer.wrap(new byte[] {7})); // makes pair[0] readable only
        assertTrue(reader.join(LIMIT), "reader not woken");
        assertEquals(Thread.State.WAITING, writer.getState(), "the writer must still wait: nothing was drained");
        drain(pair[1]); // now the sender side has room again
        assertTrue(writer.join(LIMIT), "writer not woken once the peer drained");
    }

    @Test
    void aReusedFdNumberIsRegisteredAfresh() throws Exception {
        // The carrier keeps an fd registered after a wait; when the JDK closes the fd the kernel forgets it,
        // and a new socket may get the same number. A wait on it must still be woken (re-arm fails, re-register).
        CompletableFuture<SocketChannel[]> second = new CompletableFuture<>();
        AtomicBoolean sameNumber = new AtomicBoolean();
        Thread t = coroutine(() -> {
            SocketChannel[] first = pair();
            int fd = fd(first[0]);
            first[1].write(ByteBuffer.wrap(new byte[] {1}));
            assertTrue(Hooks.poll(fd, Hooks.POLLIN, 0, () -> true)); // registers fd on this carrier
            first[0].close();
            first[1].close();
            SocketChannel[] next = pair();
            for (int i = 0; i < 100 && fd(next[0]) != fd; i++) {
                next = pair(); // keep the lowest free numbers in use until ours comes round again
            }
            sameNumber.set(fd(next[0]) == fd);
            second.complete(next);
            assertTrue(Hooks.poll(fd(next[0]), Hooks.POLLIN, 0, () -> true));
        });
        SocketChannel[] next = second.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(sameNumber.get(), "the kernel did not hand out the closed fd number again");
        awaitState(t, Thread.State.WAITING);
        next[1].write(ByteBuffer.wrap(new byte[] {2}));
        assertTrue(t.join(LIMIT), "a wait on a reused fd number was never woken");
    }

    @Test
    void manyConcurrentWaitsEachWakeExactlyOnce() throws Exception {
        int n = 300;
        List<SocketChannel[]> pairs = new ArrayList<>();
        List<Thread> waiters = new ArrayList<>();
        long parksBefore = sum(CarrierStats::parks);
        long wakeupsBefore = sum(CarrierStats::wakeups);
        for (int i = 0; i < n; i++) {
            SocketChannel[] p = pair();
            pairs.add(p);
            waiters.add(coroutine(() -> assertTrue(Hooks.poll(fd(p[0]), Hooks.POLLIN, 0, () -> true))));
        }
        for (Thread t : waiters) {
            awaitState(t, Thread.State.WAITING);
        }
        for (SocketChannel[] p : pairs) {
            p[1].write(ByteBuffer.wrap(new byte[] {1}));
        }
        for (Thread t : waiters) {
            assertTrue(t.join(LIMIT), "a waiter was never woken");
        }
        assertEquals(n, sum(CarrierStats::parks) - parksBefore, "each wait armed once");
        assertEquals(n, sum(CarrierStats::wakeups) - wakeupsBefore, "each wait woken once by readiness");
    }

    @Test
    void newCoroutinesGoToTheLeastLoadedCarrier() throws Exception {
        // One socket per waiter: two waiters of one fd on one carrier would wake each other (a spurious wake-up),
        // end, and change the load while the next ones are placed.
        List<SocketChannel[]> pairs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pairs.add(pair());
        }
        // A coroutine of an earlier test may still be between its last action and its end (live not yet counted down).
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (runtime.stats().stream().mapToLong(CarrierStats::live).sum() != 0) {
            assertTrue(System.nanoTime() - deadline < 0, "coroutines of earlier tests never ended: " + runtime.stats());
            Thread.sleep(1);
        }
        List<Long> before = runtime.stats().stream().map(CarrierStats::started).toList();
        List<Thread> parked = new ArrayList<>();
        for (SocketChannel[] p : pairs) {
            parked.add(coroutine(() -> assertTrue(Hooks.poll(fd(p[0]), Hooks.POLLIN, 0, () -> true))));
        }
        List<CarrierStats> after = runtime.stats();
        for (int c = 0; c < after.size(); c++) {
            assertEquals(2, after.get(c).started() - before.get(c), "4 coroutines over 2 carriers: 2 each");
        }
        for (SocketChannel[] p : pairs) {
            Hooks.stopPoll(fd(p[0]));
        }
        for (Thread t : parked) {
            t.interrupt();
            assertTrue(t.join(LIMIT));
        }
    }

    // ---- helpers ----

    interface Body {
        void run() throws Throwable;
    }

    private static Thread coroutine(Body body) {
        Thread t = runtime.newCoroutine("test", () -> {
            try {
                body.run();
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        return t;
    }

    private static void poll(SocketChannel ch, int event) {
        try {
            assertTrue(Hooks.poll(fd(ch), event, 0, () -> true));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (t.getState() != state) {
            assertTrue(System.nanoTime() < deadline, t + " never reached " + state + " (is " + t.getState() + ")");
            Thread.sleep(1);
        }
    }

    private SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            open.add(a);
            open.add(b);
            return new SocketChannel[] {a, b};
        }
    }

    private static void drain(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        for (int i = 0; i < 10_000 && ch.read(buf.clear()) > 0; i++) {
            // read what is buffered
        }
    }

    private static long sum(java.util.function.ToLongFunction<CarrierStats> f) {
        return runtime.stats().stream().mapToLong(f).sum();
    }

    static int fd(SocketChannel ch) {
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            return (int) m.invoke(ch);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
