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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness waits through {@link Hooks#poll} on real loopback sockets, driven directly (the agent's Poller
 * rewrite is what calls it in production; integration-tests cover that path).
 *
 * <p>Every body that runs in a coroutine is a {@link Checked}: its assertions reach the test thread when
 * the test joins it, and {@link #everyCoroutineEndedAndPassed} fails the test for one it did not join. Each
 * test also asserts the mechanism, not only the outcome: {@code Hooks.poll} answered true (coio did the
 * wait) and the carriers' counters show the wait was armed on a carrier's epoll ({@code parks}) and how it
 * ended ({@code wakeups} counts only epoll readiness). With {@code Hooks.poll} switched off (returning
 * false at its top) every readiness test here fails.
 */
class ReadinessTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static CoioRuntime runtime;
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Every body this test started, joined again after the test (some are added by coroutines). */
    private final List<Checked> started = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        runtime = CoioRuntime.start(2);
    }

    @AfterEach
    void everyCoroutineEndedAndPassed() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        AssertionError first = null;
        for (Checked c : started) {
            try {
                if (c.thread().isAlive()) {
                    c.thread().interrupt(); // wakes a wait the test left behind, so the next test starts clean
                    c.join(LIMIT);
                    throw new AssertionError(c.thread() + " was still running when the test ended");
                }
                c.check();
            } catch (AssertionError e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
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
    void pollIsLeftToTheJdkForThreadsThatAreNotCoroutinesButDoneByCoioForCoroutines() throws Exception {
        SocketChannel[] pair = pair();
        pair[1].write(ByteBuffer.wrap(new byte[] {1})); // readable: a wait that coio does ends at once
        long parksBefore = total(CarrierStats::parks);
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
        assertEquals(parksBefore, total(CarrierStats::parks), "a wait left to the JDK must not reach a carrier");

        long wakeupsBefore = total(CarrierStats::wakeups);
        coroutine(() -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true),
                "a coroutine's wait must be done by coio")).join(LIMIT);
        awaitRise(CarrierStats::parks, parksBefore, 1, "the coroutine's wait armed a carrier's epoll");
        awaitRise(CarrierStats::wakeups, wakeupsBefore, 1, "the coroutine was woken by the carrier's epoll");
    }

    @Test
    void readWaitParksUntilThePeerWrites() throws Exception {
        SocketChannel[] pair = pair();
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        AtomicBoolean returned = new AtomicBoolean();
        Checked c = coroutine(() -> {
            assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true), "coio did not do the wait");
            returned.set(true);
        });
        awaitState(c, Thread.State.WAITING);
        awaitRise(CarrierStats::parks, parksBefore, 1, "the wait was armed on the carrier's epoll");
        assertFalse(returned.get(), "poll returned before the peer wrote");
        assertEquals(wakeupsBefore, total(CarrierStats::wakeups), "woken before the peer wrote");
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        c.join(LIMIT);
        assertTrue(returned.get());
        awaitRise(CarrierStats::wakeups, wakeupsBefore, 1, "the wake-up came from the carrier's epoll");
    }

    @Test
    void timeoutEndsTheWaitNoEarlierThanAsked() throws Exception {
        SocketChannel[] pair = pair();
        long nanos = TimeUnit.MILLISECONDS.toNanos(150);
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        long[] elapsed = new long[1];
        coroutine(() -> {
            long start = System.nanoTime();
            assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, nanos, () -> true), "coio did not do the wait");
            elapsed[0] = System.nanoTime() - start;
        }).join(LIMIT);
        assertTrue(elapsed[0] >= nanos, "woke after " + elapsed[0] + " ns, before the " + nanos + " ns timeout");
        awaitRise(CarrierStats::parks, parksBefore, 1, "the wait was armed on the carrier's epoll");
        assertEquals(wakeupsBefore, total(CarrierStats::wakeups), "the carrier's timer ended it, not readiness");
    }

    @Test
    void stopPollFromAnotherThreadWakesTheWaiter() throws Exception {
        SocketChannel[] pair = pair();
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        Checked c = coroutine(() -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true),
                "coio did not do the wait"));
        awaitState(c, Thread.State.WAITING);
        awaitRise(CarrierStats::parks, parksBefore, 1, "the wait was armed on the carrier's epoll");
        Hooks.stopPoll(fd(pair[0]));
        c.join(LIMIT);
        assertEquals(wakeupsBefore, total(CarrierStats::wakeups), "stopPoll ended it, not readiness");
    }

    @Test
    void interruptWakesTheWaiter() throws Exception {
        SocketChannel[] pair = pair();
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        AtomicBoolean interrupted = new AtomicBoolean();
        Checked c = coroutine(() -> {
            assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true), "coio did not do the wait");
            interrupted.set(Thread.currentThread().isInterrupted());
        });
        awaitState(c, Thread.State.WAITING);
        awaitRise(CarrierStats::parks, parksBefore, 1, "the wait was armed on the carrier's epoll");
        c.thread().interrupt();
        c.join(LIMIT);
        assertTrue(interrupted.get());
        assertEquals(wakeupsBefore, total(CarrierStats::wakeups), "the interrupt ended it, not readiness");
    }

    @Test
    void closedSocketIsNotWaitedOn() throws Exception {
        SocketChannel[] pair = pair();
        long parksBefore = total(CarrierStats::parks);
        // If coio armed the wait anyway, nothing would ever wake it and the join would fail.
        coroutine(() -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> false),
                "coio must answer a wait on a closed socket itself (true), at once")).join(LIMIT);
        assertEquals(parksBefore, total(CarrierStats::parks), "a closed socket must not be armed");
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
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        // Virtual threads started by a coroutine inherit its carrier: both waits land in one epoll, on one
        // registration of the fd (a second epoll_ctl ADD of the same fd would fail with EEXIST, and the
        // wait would not be coio's: poll would answer false).
        CompletableFuture<Checked[]> both = new CompletableFuture<>();
        coroutine(() -> both.complete(new Checked[] {
                virtual("writer", () -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLOUT, 0, () -> true),
                        "coio did not do the write wait")),
                virtual("reader", () -> assertTrue(Hooks.poll(fd(pair[0]), Hooks.POLLIN, 0, () -> true),
                        "coio did not do the read wait"))})).join(LIMIT);
        Checked writer = both.get(LIMIT.toSeconds(), TimeUnit.SECONDS)[0];
        Checked reader = both.get()[1];
        assertTrue(CoioRuntime.isCoroutine(writer.thread()));
        assertEquals(JdkInternals.carrierOf(writer.thread()), JdkInternals.carrierOf(reader.thread()), "inherited carrier");
        awaitState(writer, Thread.State.WAITING);
        awaitState(reader, Thread.State.WAITING);
        awaitRise(CarrierStats::parks, parksBefore, 2, "both waits were armed on the carrier's epoll");
        pair[1].write(ByteBuffer.wrap(new byte[] {7})); // makes pair[0] readable only
        reader.join(LIMIT);
        assertEquals(Thread.State.WAITING, writer.thread().getState(), "the writer must still wait: nothing was drained");
        drain(pair[1]); // now the sender side has room again
        writer.join(LIMIT);
        awaitRise(CarrierStats::wakeups, wakeupsBefore, 2, "each side was woken by the carrier's epoll");
    }

    @Test
    void aReusedFdNumberIsRegisteredAfresh() throws Exception {
        // The carrier keeps an fd registered after a wait; when the JDK closes the fd the kernel forgets it,
        // and a new socket may get the same number. A wait on it must still be woken (re-arm fails, re-register).
        CompletableFuture<SocketChannel[]> second = new CompletableFuture<>();
        AtomicBoolean sameNumber = new AtomicBoolean();
        long wakeupsBefore = total(CarrierStats::wakeups);
        Checked c = coroutine(() -> {
            SocketChannel[] first = pair();
            int fd = fd(first[0]);
            first[1].write(ByteBuffer.wrap(new byte[] {1}));
            assertTrue(Hooks.poll(fd, Hooks.POLLIN, 0, () -> true), "coio did not do the first wait");
            first[0].close();
            first[1].close();
            SocketChannel[] next = pair();
            for (int i = 0; i < 100 && fd(next[0]) != fd; i++) {
                next = pair(); // keep the lowest free numbers in use until ours comes round again
            }
            sameNumber.set(fd(next[0]) == fd);
            second.complete(next);
            assertTrue(Hooks.poll(fd(next[0]), Hooks.POLLIN, 0, () -> true), "coio did not do the second wait");
        });
        SocketChannel[] next = awaitOrFail(second, c);
        assertTrue(sameNumber.get(), "the kernel did not hand out the closed fd number again");
        awaitState(c, Thread.State.WAITING);
        next[1].write(ByteBuffer.wrap(new byte[] {2}));
        c.join(LIMIT);
        awaitRise(CarrierStats::wakeups, wakeupsBefore, 2, "both waits were woken by the carrier's epoll");
    }

    @Test
    void manyConcurrentWaitsEachWakeExactlyOnce() throws Exception {
        int n = 300;
        List<SocketChannel[]> pairs = new ArrayList<>();
        List<Checked> waiters = new ArrayList<>();
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        for (int i = 0; i < n; i++) {
            SocketChannel[] p = pair();
            pairs.add(p);
            waiters.add(coroutine(() -> assertTrue(Hooks.poll(fd(p[0]), Hooks.POLLIN, 0, () -> true),
                    "coio did not do the wait")));
        }
        for (Checked c : waiters) {
            awaitState(c, Thread.State.WAITING);
        }
        for (SocketChannel[] p : pairs) {
            p[1].write(ByteBuffer.wrap(new byte[] {1}));
        }
        for (Checked c : waiters) {
            c.join(LIMIT);
        }
        assertEquals(n, awaitRise(CarrierStats::parks, parksBefore, n, "waits armed"), "each wait armed once");
        assertEquals(n, awaitRise(CarrierStats::wakeups, wakeupsBefore, n, "readiness wake-ups"),
                "each wait woken once by readiness");
    }

    @Test
    void newCoroutinesGoToTheLeastLoadedCarrier() throws Exception {
        // One socket per waiter: two waiters of one fd on one carrier would wake each other (a spurious wake-up),
        // end, and change the load while the next ones are placed.
        // A coroutine of an earlier test may still be between its last action and its end (live not yet counted down).
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (runtime.stats().stream().mapToLong(CarrierStats::live).sum() != 0) {
            assertTrue(System.nanoTime() - deadline < 0, "coroutines of earlier tests never ended: " + runtime.stats());
            Thread.sleep(1);
        }
        List<Long> before = runtime.stats().stream().map(CarrierStats::started).toList();
        long parksBefore = total(CarrierStats::parks);
        long wakeupsBefore = total(CarrierStats::wakeups);
        List<SocketChannel[]> pairs = new ArrayList<>();
        List<Checked> parked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SocketChannel[] p = pair();
            pairs.add(p);
            parked.add(coroutine(() -> assertTrue(Hooks.poll(fd(p[0]), Hooks.POLLIN, 0, () -> true),
                    "coio did not do the wait")));
        }
        for (Checked c : parked) {
            awaitState(c, Thread.State.WAITING); // all 4 live at once
        }
        awaitRise(CarrierStats::parks, parksBefore, 4, "the 4 waits were armed on the carriers' epolls");
        List<CarrierStats> after = runtime.stats();
        for (int c = 0; c < after.size(); c++) {
            assertEquals(2, after.get(c).started() - before.get(c), "4 coroutines over 2 carriers: 2 each");
        }
        for (SocketChannel[] p : pairs) {
            p[1].write(ByteBuffer.wrap(new byte[] {1}));
        }
        for (Checked c : parked) {
            c.join(LIMIT);
        }
        awaitRise(CarrierStats::wakeups, wakeupsBefore, 4, "the 4 waits were woken by the carriers' epolls");
    }

    // ---- helpers ----

    private Checked coroutine(Checked.Body body) {
        Checked c = Checked.coroutine(runtime, "test", body);
        started.add(c);
        return c;
    }

    /** Called inside a coroutine: a virtual thread on the same carrier, joined again after the test. */
    private Checked virtual(String name, Checked.Body body) {
        Checked c = Checked.virtual(name, body);
        started.add(c);
        return c;
    }

    /** Waits for {@code c}'s thread to reach {@code state}; if it ends first, its own failure is the cause. */
    private static void awaitState(Checked c, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        Thread t = c.thread();
        while (t.getState() != state) {
            if (t.getState() == Thread.State.TERMINATED) {
                c.check();
                throw new AssertionError(t + " ended before it reached " + state);
            }
            assertTrue(System.nanoTime() < deadline, t + " never reached " + state + " (is " + t.getState() + ")");
            Thread.sleep(1);
        }
    }

    /** The future's value; if the coroutine {@code c} that should complete it failed, that failure instead. */
    private static <T> T awaitOrFail(CompletableFuture<T> f, Checked c) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!f.isDone()) {
            if (!c.thread().isAlive()) {
                c.check();
            }
            assertTrue(System.nanoTime() < deadline, "never completed by " + c.thread());
            Thread.sleep(1);
        }
        return f.get();
    }

    /**
     * Waits (bounded) until the carriers' counter {@code f} has risen by at least {@code atLeast} over
     * {@code before}, and returns the rise. Counters are written by the loop threads and read racily, and a
     * wake-up is counted just after the woken coroutine was queued, so a caller that joined it may look early.
     */
    private static long awaitRise(ToLongFunction<CarrierStats> f, long before, long atLeast, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        long rise;
        while ((rise = total(f) - before) < atLeast) {
            assertTrue(System.nanoTime() < deadline, what + ": counter rose by " + rise + ", expected " + atLeast
                    + "; " + runtime.stats());
            Thread.sleep(1);
        }
        return rise;
    }

    private SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            synchronized (open) {
                open.add(a);
                open.add(b);
            }
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

    private static long total(ToLongFunction<CarrierStats> f) {
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
