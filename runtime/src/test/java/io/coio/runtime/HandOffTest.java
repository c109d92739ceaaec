package io.coio.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Carrier hand-off: while one coroutine blocks its carrier's OS thread, the loop runs on a spare thread and the
 * carrier's other coroutines keep running. Every test uses one carrier, so "another coroutine ran" is only
 * possible through a hand-off (without it the blocked coroutine holds the only loop thread).
 */
@Timeout(120)
class HandOffTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final CarrierRig rig = new CarrierRig();

    @AfterEach
    void stopAll() throws Exception {
        rig.stopAll();
    }

    @Test
    void fileReadHandsTheLoopToASpareAndTheBlockedThreadReturnsToThePool(@TempDir Path dir) throws Exception {
        Carrier c = carrier(1);
        SparePool pool = rig.poolOf(0);
        Path fifo = fifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) { // O_RDWR: the reader's open won't block
            CompletableFuture<Integer> read = new CompletableFuture<>();
            CountDownLatch reading = new CountDownLatch(1);
            start(c, "reader", () -> {
                try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                    reading.countDown();
                    Hooks.beforeBlocking(Hooks.FILE); // what the agent's FileInputStream.read prologue does
                    read.complete(in.read());
                } catch (Throwable e) {
                    read.completeExceptionally(e);
                }
            });
            assertTrue(reading.await(LIMIT.toSeconds(), TimeUnit.SECONDS));
            // The reader runs (pinned to the only loop thread) until it blocks in read(): the second coroutine can
            // only run if the loop moved to another OS thread.
            assertTrue(runsOn(c), "another coroutine of the carrier ran while the reader was blocked");
            assertEquals(1, c.stats().fileHandOffs(), "file hand-offs");
            assertEquals(0, pool.idleCount(), "the one spare now drives the loop");
            writer.write(42);
            assertEquals(42, read.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
        awaitTrue(() -> pool.idleCount() == 1, "the thread that blocked went back to the spare pool");
        assertEquals(0, c.stats().extraLoopThreads(), "no thread beyond the spare was needed");
        assertTrue(runsOn(c), "the carrier still runs coroutines after the hand-off");
    }

    @Test
    void anExhaustedPoolStartsOneMoreThreadInsteadOfWaiting(@TempDir Path dir) throws Exception {
        Carrier c = carrier(0);
        Path fifo = fifo(dir);
        AtomicReference<Thread> blockedThread = new AtomicReference<>();
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) {
            CompletableFuture<Integer> read = new CompletableFuture<>();
            start(c, "reader", () -> {
                try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                    blockedThread.set(JdkInternals.currentCarrierThread());
                    Hooks.beforeBlocking(Hooks.FILE);
                    read.complete(in.read());
                } catch (Throwable e) {
                    read.completeExceptionally(e);
                }
            });
            assertTrue(runsOn(c), "the carrier ran another coroutine with no spare idle");
            writer.write(7);
            assertEquals(7, read.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(1, c.stats().extraLoopThreads(), "the hand-off started one more thread");
        assertEquals(1, c.stats().fileHandOffs());
        awaitTrue(() -> !blockedThread.get().isAlive(), "with spares=0 the blocked thread retires instead of idling");
    }

    @Test
    void aPinnedObjectWaitHandsOffAndItsNotifierOnTheSameCarrierRuns() throws Exception {
        Carrier c = carrier(1);
        CompletableFuture<String> waiter = new CompletableFuture<>();
        carrierOfNotifier = c;
        start(c, "waiter", () -> {
            try {
                waiter.complete(PinnedWait.VALUE); // <clinit> waits pinned until a coroutine of this carrier notifies
            } catch (Throwable e) {
                waiter.completeExceptionally(e);
            }
        });
        assertEquals("notified", waiter.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, c.stats().pinnedWaitHandOffs(), "pinned-wait hand-offs");
    }

    // Outside the classes being initialized: touching those from another thread would wait for their initializer.
    static final Object WAIT_LOCK = new Object();
    static volatile Carrier carrierOfNotifier;
    static boolean notified;
    static final Object MONITOR = new Object();

    private static void notifyWaiter() {
        synchronized (WAIT_LOCK) {
            notified = true;
            WAIT_LOCK.notifyAll();
        }
    }

    /** Its initializer (a pinned context) waits until a coroutine on the same carrier notifies it. */
    static final class PinnedWait {
        static final String VALUE;

        static {
            synchronized (WAIT_LOCK) {
                // The body is the outer class's: a lambda here would be PinnedWait's and wait for its initializer.
                Thread notifier = JdkInternals.virtualThreadBuilder(carrierOfNotifier).unstarted(HandOffTest::notifyWaiter);
                notifier.start();
                while (!notified) {
                    Hooks.beforeObjectWait(); // what the agent's Object.wait prologue does
                    try {
                        WAIT_LOCK.wait();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            VALUE = "notified";
        }

        private PinnedWait() {
        }
    }

    @Test
    void theWatchdogHandsOffALoopBlockedOnAMonitorWhilePinned() throws Exception {
        Carrier c = carrier(1);
        watchdog(c, Duration.ofMillis(50), Duration.ZERO);
        CompletableFuture<String> blocked = new CompletableFuture<>();
        synchronized (MONITOR) {
            start(c, "blocked-in-clinit", () -> {
                try {
                    blocked.complete(PinnedMonitor.VALUE); // <clinit> blocks on LOCK, held by this test thread
                } catch (Throwable e) {
                    blocked.completeExceptionally(e);
                }
            });
            assertTrue(runsOn(c), "another coroutine ran while the loop thread was blocked on the monitor");
            assertEquals(1, c.stats().watchdogHandOffs(), "watchdog hand-offs");
        }
        assertEquals("entered", blocked.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
    }

    /** Its initializer (a pinned context) enters a monitor the test holds. */
    static final class PinnedMonitor {
        static final String VALUE;

        static {
            synchronized (MONITOR) {
                VALUE = "entered";
            }
        }

        private PinnedMonitor() {
        }
    }

    @Test
    void theWatchdogHandsOffALoopBlockedInAnFfmDowncall(@TempDir Path dir) throws Throwable {
        Carrier c = carrier(1);
        watchdog(c, Duration.ofMillis(50), Duration.ZERO);
        Path fifo = fifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            CompletableFuture<Long> got = startNativeRead(c, fifo, arena);
            assertTrue(runsOn(c), "another coroutine ran while the loop thread was blocked in an FFM read");
            assertEquals(1, c.stats().watchdogHandOffs(), "watchdog hand-offs");
            writer.write(5);
            assertEquals(1L, got.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    /**
     * A watchdog that did not look for a whole threshold (here its clock jumps by a minute, as a GC pause or a starved
     * machine would make it) times every run again from its next look: a loop thread blocked in native code for a
     * few milliseconds of real time is not handed off as blocked for a minute. Without the restart the first look
     * after the jump hands it off.
     */
    @Test
    void aWatchdogThatStoodStillTimesTheRunsAgainInsteadOfHandingThemOff(@TempDir Path dir) throws Throwable {
        Carrier c = carrier(1);
        Watchdog w = new Watchdog(new Carrier[] {c}, Duration.ofSeconds(10), Duration.ZERO,
                Thread.currentThread().getThreadGroup());
        JumpingClock clock = new JumpingClock();
        w.clock(clock);
        rig.watchdog(w);
        Path fifo = fifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw");
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            CompletableFuture<Long> got = startNativeRead(c, fifo, arena);
            awaitTrue(() -> clock.looks.get() >= 3, "the watchdog looks at the blocked run"); // it has seen the run
            clock.offset.addAndGet(TimeUnit.SECONDS.toNanos(60));
            int after = clock.looks.get();
            awaitTrue(() -> clock.looks.get() >= after + 5, "the watchdog looks again after the jump");
            assertEquals(0, c.stats().watchdogHandOffs(), "handed off on the strength of the jump alone");
            writer.write(5);
            assertEquals(1L, got.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    /**
     * Starts a coroutine on {@code c} that opens {@code fifo} and reads one byte through FFM downcalls of libc's
     * {@code open} and {@code read}: it blocks in native code, which no hook sees. Returns once it has opened the fifo
     * (about to read); the future completes with what the read returned.
     */
    private static CompletableFuture<Long> startNativeRead(Carrier c, Path fifo, java.lang.foreign.Arena arena)
            throws InterruptedException {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT));
        java.lang.invoke.MethodHandle read = linker.downcallHandle(linker.defaultLookup().find("read").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG,
                        java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                        java.lang.foreign.ValueLayout.JAVA_LONG));
        java.lang.foreign.MemorySegment path = arena.allocateFrom(fifo.toString());
        java.lang.foreign.MemorySegment buf = arena.allocate(1);
        CompletableFuture<Long> got = new CompletableFuture<>();
        CountDownLatch reading = new CountDownLatch(1);
        start(c, "ffm-reader", () -> {
            try {
                int fd = (int) open.invokeExact(path, 0 /* O_RDONLY */);
                reading.countDown();
                got.complete((long) read.invokeExact(fd, buf, 1L)); // blocks in native code; no hook sees it
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        });
        assertTrue(reading.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the reader opened the fifo");
        return got;
    }

    /** {@code System.nanoTime()} plus an offset the test moves; counts the watchdog's looks. */
    private static final class JumpingClock implements java.util.function.LongSupplier {
        final java.util.concurrent.atomic.AtomicLong offset = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public long getAsLong() {
            looks.incrementAndGet();
            return System.nanoTime() + offset.get();
        }
    }

    @Test
    void theWatchdogReportsAndHandsOffACoroutineThatRunsTooLongWithoutYielding() throws Exception {
        Carrier c = carrier(1);
        watchdog(c, Duration.ofMillis(50), Duration.ofMillis(50));
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Void> spun = new CompletableFuture<>();
        start(c, "spinner", () -> {
            while (stop.getCount() > 0) {
                System.nanoTime(); // CPU-bound (a native method on top of the stack at times): never yields, never blocks
            }
            spun.complete(null);
        });
        awaitTrue(() -> c.stats().longRuns() == 1, "the long run was reported");
        awaitTrue(() -> c.stats().busyHandOffs() == 1, "the busy run was handed off");
        assertTrue(runsOn(c), "another coroutine ran while one spun on the CPU");
        stop.countDown();
        spun.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, c.stats().watchdogHandOffs(), "a busy run is counted as busy, not as blocked");
    }

    @Test
    void anExceptionInAnyLoopStepIsReportedAndTheCarrierKeepsServing() throws Exception {
        Carrier c = carrier(1);
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.add(e));
        AtomicReference<String> failOnce = new AtomicReference<>();
        c.faultForTest = step -> {
            if (failOnce.compareAndSet(step, null)) {
                throw new IllegalStateException("injected fault in " + step);
            }
        };
        try {
            c.execute(() -> {
                throw new IllegalStateException("injected fault in a task");
            });
            assertTrue(runsOn(c), "the carrier runs coroutines after a task threw");

            failOnce.set("eventLoop");
            c.execute(() -> { });
            awaitTrue(() -> failOnce.get() == null, "the event-loop fault was injected");
            assertTrue(runsOn(c), "the carrier runs coroutines after Netty's step threw");

            try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()
                    .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
                 java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(server.getLocalAddress());
                 java.nio.channels.SocketChannel peer = server.accept()) {
                client.configureBlocking(false);
                int fd = ReadinessTest.fd(client);
                failOnce.set("applyPending");
                CompletableFuture<Boolean> handled = new CompletableFuture<>();
                start(c, "waiter", () -> {
                    try {
                        handled.complete(Hooks.poll(fd, Hooks.POLLIN, 0, () -> true));
                    } catch (Throwable e) {
                        handled.completeExceptionally(e);
                    }
                });
                assertEquals(false, handled.get(LIMIT.toSeconds(), TimeUnit.SECONDS),
                        "the wait whose arming failed goes back to the JDK's poller (poll returns false)");
                CompletableFuture<Boolean> next = new CompletableFuture<>();
                start(c, "next-waiter", () -> {
                    try {
                        next.complete(Hooks.poll(fd, Hooks.POLLIN, 0, () -> true));
                    } catch (Throwable e) {
                        next.completeExceptionally(e);
                    }
                });
                awaitTrue(() -> c.stats().parks() >= 1, "the next wait was armed on the carrier's epoll");
                peer.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                assertEquals(true, next.get(LIMIT.toSeconds(), TimeUnit.SECONDS), "the next wait is served by epoll");
            }
        } finally {
            c.faultForTest = null;
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        List<String> messages = reported.stream().map(e -> e.getMessage() + " / " + e.getCause()).toList();
        assertEquals(3, reported.size(), "each fault reported once: " + messages);
        assertTrue(messages.get(0).contains("injected fault in a task"), messages.toString());
        assertTrue(messages.get(1).contains("injected fault in eventLoop"), messages.toString());
        assertTrue(messages.get(2).contains("injected fault in applyPending"), messages.toString());
    }

    @Test
    void manyHandOffsFromInsideAndOutsideRaceWithReadinessWaitsAndTimersWithoutLosingAWakeUp() throws Exception {
        Carrier c = carrier(1);
        // An aggressive watchdog: it also tries to hand off loops whose coroutine is briefly WAITING in a pinned
        // context, racing with the coroutines' own hand-offs.
        watchdog(c, Duration.ofMillis(2), Duration.ZERO);
        int coroutines = 40;
        int rounds = 25;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        List<java.nio.channels.SocketChannel> open = new ArrayList<>();
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < coroutines; i++) {
                java.nio.channels.SocketChannel a = java.nio.channels.SocketChannel.open(server.getLocalAddress());
                java.nio.channels.SocketChannel b = server.accept();
                a.configureBlocking(false);
                b.configureBlocking(false);
                open.add(a);
                open.add(b);
                done.add(pingPong(c, "ping-" + i, a, i, rounds));
                done.add(pingPong(c, "pong-" + i, b, -i - 1, rounds));
            }
            CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(LIMIT.toSeconds() * 2, TimeUnit.SECONDS);
        } finally {
            for (java.nio.channels.SocketChannel ch : open) {
                ch.close();
            }
        }
        assertTrue(c.stats().fileHandOffs() > 0, "hand-offs happened: " + c.stats());
        assertTrue(c.stats().parks() > 0, "readiness waits happened: " + c.stats());
        assertTrue(runsOn(c), "the carrier still runs coroutines");
        System.out.println("stress: " + c.stats());
    }

    /**
     * A coroutine that hands its own run off must not yield between taking the loop from its thread and giving it
     * to the spare: it would wait to be resumed by the loop it is handing on. Here the only thing a hand-off may
     * do that can yield is the "no spare was idle" report, and the test makes it park: standard error blocks until
     * released. The probe coroutine can then only run if the spare got the loop before the report.
     */
    @Test
    void aHandOffWhoseReportBlocksHasAlreadyGivenTheLoopToItsSpare() throws Exception {
        Carrier c = carrier(0); // no idle spare: the hand-off starts one and reports it
        rig.poolOf(0).sayExtraThreads(true); // as the agent's report=all: off by default
        CountDownLatch printing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                printing.countDown();
                try {
                    release.await(); // parks the coroutine that reports: it yields
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        }, true));
        CompletableFuture<Boolean> handedOff = new CompletableFuture<>();
        try {
            start(c, "hander", () -> {
                try {
                    handedOff.complete(c.handOffFromCoroutine(HandOffCause.FILE));
                } catch (Throwable e) {
                    handedOff.completeExceptionally(e);
                }
            });
            assertTrue(printing.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the hand-off reported the extra thread");
            assertTrue(runsOn(c), "the spare drives the loop while the hand-off's report is blocked");
        } finally {
            release.countDown();
            System.setErr(err);
        }
        assertTrue(handedOff.get(LIMIT.toSeconds(), TimeUnit.SECONDS), "the coroutine handed its run off");
        assertEquals(1, c.stats().extraLoopThreads(), "one thread was started for it");
        assertEquals(1, c.stats().fileHandOffs());
    }

    /**
     * One side of a ping-pong over {@code ch}: each round it may hand the loop off from inside, park on a timer or
     * yield, then writes one byte and waits (readiness) for the peer's byte of the same round.
     */
    private static CompletableFuture<Void> pingPong(Carrier c, String name, java.nio.channels.SocketChannel ch,
                                                    int seed, int rounds) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        start(c, name, () -> {
            try {
                java.util.Random random = new java.util.Random(seed);
                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                for (int r = 0; r < rounds; r++) {
                    switch (random.nextInt(3)) {
                        case 0 -> Hooks.beforeBlocking(Hooks.FILE); // hand off from inside, then go on running
                        case 1 -> java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(200_000));
                        default -> Thread.yield();
                    }
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) r}));
                    one.clear();
                    while (ch.read(one) == 0) {
                        Hooks.poll(ReadinessTest.fd(ch), Hooks.POLLIN, 0, () -> true);
                    }
                    assertEquals((byte) r, one.get(0), name + " round " + r);
                }
                f.complete(null);
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    // ---- helpers ----

    private Carrier carrier(int spares) {
        return rig.carrier(spares);
    }

    private void watchdog(Carrier c, Duration handOffAfter, Duration reportAfter) {
        rig.watchdog(new Watchdog(new Carrier[] {c}, handOffAfter, reportAfter, Thread.currentThread().getThreadGroup()));
    }

    private static Thread start(Carrier c, String name, Runnable body) {
        Thread t = JdkInternals.virtualThreadBuilder(c).name(name).unstarted(body);
        t.start();
        return t;
    }

    /** True if a new coroutine on {@code c} runs to its end within the limit. */
    static boolean runsOn(Carrier c) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        start(c, "probe", ran::countDown);
        return ran.await(LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    static Path fifo(Path dir) throws IOException, InterruptedException {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo");
        return fifo;
    }

    /** Polls {@code condition} until it holds; fails after {@link #LIMIT} (also used by {@link FairnessTest}). */
    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + LIMIT + ": " + what);
            }
            Thread.sleep(5);
        }
    }

}
