package io.coio.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fair carriers: the busy time slice (a coroutine that computes without yielding is moved off its carrier after
 * the slice, so the carrier serves its other connections), the starvation report of a run that goes on after that
 * move, and work stealing between carriers (at the watchdog's looks, and at once for a coroutine woken from outside
 * its busy carrier). No timing is asserted: each test waits for an event that can only
 * happen through its mechanism (a spinner that only stops when another coroutine of its carrier tells it to; a
 * coroutine queued behind a stuck carrier that only runs if another carrier takes it), and checks the counters.
 */
@Timeout(120)
class FairnessTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** Long enough that only the busy slice can move a spinner within {@link #LIMIT}. */
    private static final Duration BLOCKED_NEVER = Duration.ofSeconds(600);
    private final CarrierRig rig = new CarrierRig();

    @AfterEach
    void stopAll() throws Exception {
        rig.stopAll();
    }

    @Test
    void aSpinningCoroutineIsMovedAfterTheSliceAndItsCarrierServesItsOtherConnection() throws Exception {
        Carrier c = carriers(1)[0];
        rig.watchdog(new Watchdog(new Carrier[] {c}, BLOCKED_NEVER, Duration.ofMillis(10), Duration.ZERO, null,
                Thread.currentThread().getThreadGroup()));
        SocketChannel[] pair = socketPair();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch spinning = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        start(c, "spinner", () -> {
            spinning.countDown();
            while (stop.getCount() > 0) {
                Thread.onSpinWait(); // CPU-bound, never yields, never blocks
            }
        });
        assertTrue(spinning.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the spinner started");
        // An echo on the same carrier: it can only answer while the spinner spins if the spinner left the carrier.
        start(c, "echo", () -> {
            try {
                ByteBuffer b = ByteBuffer.allocate(1);
                for (;;) {
                    b.clear();
                    while (pair[1].read(b) == 0) {
                        Hooks.poll(ReadinessTest.fd(pair[1]), Hooks.POLLIN, 0, () -> true);
                    }
                    b.flip();
                    if (b.get(0) == 'S') {
                        stop.countDown(); // only now does the spinner stop
                    }
                    pair[1].write(b);
                    if (b.get(0) == 'S') {
                        return;
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertEquals('x', roundTrip(pair[0], 'x'), "echoed while the spinner spins" + failure);
        assertEquals(1, stop.getCount(), "the spinner was still spinning when the echo answered");
        assertEquals('S', roundTrip(pair[0], 'S'), "the stop request echoed" + failure);
        assertEquals(null, failure.get());
        assertTrue(c.stats().busyHandOffs() >= 1, "moved by the busy slice: " + c.stats());
        assertEquals(0, c.stats().watchdogHandOffs(), "not as a blocked run: " + c.stats());
    }

    @Test
    void aRunThatGoesOnAfterTheBusyHandOffIsReportedWithItsStack() throws Exception {
        Carrier c = carriers(1)[0];
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            rig.watchdog(new Watchdog(new Carrier[] {c}, BLOCKED_NEVER, Duration.ofMillis(10), Duration.ofMillis(300),
                    null, Thread.currentThread().getThreadGroup()));
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch spun = new CountDownLatch(1);
            start(c, "long-spinner", () -> {
                spinUntil(stop);
                spun.countDown();
            });
            // The spinner leaves the carrier after the 10 ms slice given here; the report comes from following it on its own thread.
            HandOffTest.awaitTrue(() -> c.stats().busyHandOffs() == 1, "the busy run was handed off");
            HandOffTest.awaitTrue(() -> c.stats().longRuns() == 1, "the run, still going on its own thread, was reported");
            // the counter rises before the report is printed: wait for the printed stack's last line too
            HandOffTest.awaitTrue(() -> err.toString(StandardCharsets.UTF_8).contains("at java.base/java.lang.VirtualThread.run"),
                    "the report printed");
            stop.countDown();
            assertTrue(spun.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the spinner ended");
        } finally {
            System.setErr(saved);
        }
        String out = err.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("coroutine \"long-spinner\""), out);
        assertTrue(out.contains("without yielding"), out);
        assertTrue(out.contains("moved to an OS thread of its own"), out);
        assertTrue(out.contains("at io.coio.runtime.FairnessTest.spinUntil"), "the report carries the stack: " + out);
        assertEquals(1, c.stats().longRuns(), "reported once: " + c.stats());
    }

    @Test
    void anIdleCarrierTakesTheReadyCoroutinesOfACarrierStuckInOneRun() throws Exception {
        Carrier[] cs = carriers(2);
        // No hand-off at all: carrier 0 stays stuck in the spinner's run; only stealing can run its queue.
        rig.watchdog(new Watchdog(cs, Duration.ZERO, Duration.ZERO, Duration.ZERO, new WorkStealing(cs),
                Thread.currentThread().getThreadGroup()));
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch spinning = new CountDownLatch(1);
        start(cs[0], "spinner", () -> {
            spinning.countDown();
            spinUntil(stop);
        });
        assertTrue(spinning.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the spinner started");
        int n = 20;
        CountDownLatch ran = new CountDownLatch(n);
        List<Thread> queued = new ArrayList<>();
        List<Thread> ranOn = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            queued.add(startConverted(cs[0], "queued-" + i, () -> {
                ranOn.add(JdkInternals.currentCarrierThread());
                ran.countDown();
            }));
        }
        assertTrue(ran.await(LIMIT.toSeconds(), TimeUnit.SECONDS),
                "the coroutines queued behind the stuck carrier ran: " + cs[0].stats() + " / " + cs[1].stats());
        assertEquals(1, stop.getCount(), "while the spinner still held carrier 0");
        stop.countDown();
        for (Thread t : queued) {
            assertTrue(t.join(LIMIT), t + " ended");
        }
        assertEquals(n, cs[1].stats().stolen(), "carrier 1 took them: " + cs[1].stats());
        assertEquals(0, cs[0].stats().stolen(), cs[0].stats().toString());
        for (Thread t : ranOn) {
            assertTrue(t != cs[0].loopThread(), "none ran on the stuck carrier's thread");
        }
        for (Thread t : queued) {
            assertTrue(JdkInternals.carrierOf(t) == cs[1], "a stolen coroutine belongs to the thief now");
        }
        // Counted on carrier 0 when made, moved with each steal, ended on carrier 1 (the spinner is not counted).
        assertEquals(0, cs[0].live.get(), "live on carrier 0");
        assertEquals(0, cs[1].live.get(), "live on carrier 1");
    }

    @Test
    void aCoroutineWokenFromOutsideItsBusyCarrierIsTakenByAnIdleCarrierAtOnce() throws Exception {
        Carrier[] cs = balanced(rig.carriers(2, 0)); // no watchdog: no hand-off, no steal at its ticks
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Boolean> spinnerStillRunning = new AtomicReference<>();
        Thread woken = startConverted(cs[0], "woken", () -> {
            java.util.concurrent.locks.LockSupport.park();
            ranOn.set(JdkInternals.currentCarrierThread());
            spinnerStillRunning.set(stop.getCount() == 1);
            stop.countDown();
        });
        HandOffTest.awaitTrue(() -> woken.getState() == Thread.State.WAITING, "the coroutine parked");
        CountDownLatch spinning = new CountDownLatch(1);
        start(cs[0], "spinner", () -> {
            spinning.countDown();
            spinUntil(stop); // only the woken coroutine stops it: it must run while carrier 0 is stuck here
        });
        assertTrue(spinning.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the spinner started");
        HandOffTest.awaitTrue(cs[1]::idle, "carrier 1 idle in epoll");
        java.util.concurrent.locks.LockSupport.unpark(woken); // from the test thread: outside carrier 0
        assertTrue(woken.join(LIMIT), "the woken coroutine ran although its carrier was stuck: " + cs[0].stats()
                + " / " + cs[1].stats());
        assertTrue(spinnerStillRunning.get(), "it ran while the spinner still held carrier 0");
        assertTrue(ranOn.get() == cs[1].loopThread(), "on carrier 1's loop thread");
        assertTrue(JdkInternals.carrierOf(woken) == cs[1], "it belongs to carrier 1 now");
        assertEquals(1, cs[1].stats().wokenToSteal(), cs[1].stats().toString());
        assertEquals(1, cs[1].stats().stolen(), cs[1].stats().toString());
        assertEquals(0, cs[0].live.get(), "live on carrier 0");
        assertEquals(0, cs[1].live.get(), "live on carrier 1");
    }

    /**
     * A coroutine woken by one of its own carrier's stays queued there, even with the other carrier idle: such a
     * waker parks right after, as a rule (a hand-over through a queue or a lock), and waking the idle carrier would
     * cost a wake-up per hand-over.
     */
    @Test
    void aCoroutineWokenByOneOfItsOwnCarrierStaysThere() throws Exception {
        Carrier[] cs = balanced(rig.carriers(2, 0));
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Thread woken = startConverted(cs[0], "woken", () -> {
            java.util.concurrent.locks.LockSupport.park();
            ranOn.set(JdkInternals.currentCarrierThread());
        });
        HandOffTest.awaitTrue(() -> woken.getState() == Thread.State.WAITING, "the coroutine parked");
        HandOffTest.awaitTrue(cs[1]::idle, "carrier 1 idle in epoll");
        Thread waker = startConverted(cs[0], "waker", () -> {
            java.util.concurrent.locks.LockSupport.unpark(woken);
            spinMicros(2_000); // still inside its run, with carrier 1 idle all along
        });
        assertTrue(waker.join(LIMIT) && woken.join(LIMIT), "both ended");
        assertTrue(ranOn.get() == cs[0].loopThread(), "the woken coroutine ran on its own carrier, after the waker");
        assertEquals(0, cs[1].stats().wokenToSteal(), cs[1].stats().toString());
        assertEquals(0, cs[1].stats().stolen(), cs[1].stats().toString());
    }

    /** The carriers, balanced as the runtime's are with stealing on (no watchdog: no steal at its ticks). */
    private static Carrier[] balanced(Carrier[] cs) {
        WorkStealing balancing = new WorkStealing(cs);
        for (Carrier c : cs) {
            c.balancing = balancing;
        }
        return cs;
    }

    @Test
    void aFloodedCarrierSharesItsReadyCoroutinesWithAnIdleOneAndTheirWaitsWorkThere() throws Exception {
        Carrier[] cs = carriers(2);
        rig.watchdog(new Watchdog(cs, Duration.ZERO, Duration.ZERO, Duration.ZERO, new WorkStealing(cs),
                Thread.currentThread().getThreadGroup()));
        int n = 40;
        int rounds = 200;
        SocketChannel[] pair = socketPair();
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            workers.add(startConverted(cs[0], "flood-" + i, () -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        spinMicros(200); // a little CPU work, then yield: carrier 0 always has ready coroutines
                        Thread.yield();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    done.countDown();
                }
            }));
        }
        assertTrue(done.await(LIMIT.toSeconds() * 3, TimeUnit.SECONDS), "the flood ended");
        assertEquals(null, failure.get());
        long stolen = cs[1].stats().stolen();
        assertTrue(stolen > 0, "the idle carrier took ready coroutines: " + cs[0].stats() + " / " + cs[1].stats());
        // A coroutine now on carrier 1 waits for readiness there: its waits are its new carrier's.
        for (Thread t : workers) {
            assertTrue(t.join(LIMIT), t + " ended");
        }
        long parksBefore = cs[1].stats().parks();
        CountDownLatch read = new CountDownLatch(1);
        AtomicReference<Carrier> waitedOn = new AtomicReference<>();
        Thread reader = startConverted(cs[0], "reader", () -> {
            try {
                Thread.yield(); // ready again: may be taken; either way the wait must work where it belongs
                waitedOn.set(JdkInternals.carrierOf(Thread.currentThread()));
                ByteBuffer b = ByteBuffer.allocate(1);
                while (pair[1].read(b) == 0) {
                    Hooks.poll(ReadinessTest.fd(pair[1]), Hooks.POLLIN, 0, () -> true);
                }
                read.countDown();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        HandOffTest.awaitTrue(() -> reader.getState() == Thread.State.WAITING || read.getCount() == 0, "the reader waits");
        pair[0].write(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(read.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the reader woke" + failure.get());
        assertEquals(null, failure.get());
        if (waitedOn.get() == cs[1]) {
            assertTrue(cs[1].stats().parks() > parksBefore, "its wait was armed on carrier 1: " + cs[1].stats());
        }
    }

    /**
     * A steal moves a coroutine, not its socket: the fd stays registered with the carrier it first waited on. When that
     * carrier's epoll wakes the coroutine again, its resumption goes back there, so that its later wake-ups do not all
     * cross from one carrier to the other's run queue.
     */
    @Test
    void aStolenCoroutineIsResumedOnTheCarrierWhoseEpollWokeIt() throws Exception {
        Carrier[] cs = carriers(2);
        rig.watchdog(new Watchdog(cs, Duration.ZERO, Duration.ZERO, Duration.ZERO, new WorkStealing(cs),
                Thread.currentThread().getThreadGroup()));
        SocketChannel[] pair = socketPair();
        int fd = ReadinessTest.fd(pair[1]);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Carrier> stolenTo = new AtomicReference<>();
        AtomicReference<Carrier> resumedOn = new AtomicReference<>();
        AtomicReference<Thread> resumedOnThread = new AtomicReference<>();
        CountDownLatch firstRead = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread reader = startConverted(cs[0], "reader", () -> {
            try {
                readOne(pair[1], fd); // its first wait registers the fd with carrier 0
                firstRead.countDown();
                while (JdkInternals.carrierOf(Thread.currentThread()) == cs[0]) {
                    Thread.yield(); // ready in carrier 0's queue, behind the spinner: only a steal runs it
                }
                stolenTo.set(JdkInternals.carrierOf(Thread.currentThread()));
                stop.countDown();
                readOne(pair[1], fd); // carrier 0's epoll reports the fd
                resumedOn.set(JdkInternals.carrierOf(Thread.currentThread()));
                resumedOnThread.set(JdkInternals.currentCarrierThread());
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        });
        HandOffTest.awaitTrue(() -> reader.getState() == Thread.State.WAITING || done.getCount() == 0,
                "the reader waits (its fd registered with carrier 0)");
        pair[0].write(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(firstRead.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the first read: " + failure.get());
        start(cs[0], "spinner", () -> spinUntil(stop)); // holds carrier 0 until the reader has been taken
        HandOffTest.awaitTrue(() -> reader.getState() == Thread.State.WAITING || done.getCount() == 0,
                "the reader waits again");
        pair[0].write(ByteBuffer.wrap(new byte[] {2}));
        assertTrue(done.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "the second read");
        assertEquals(null, failure.get());
        assertTrue(stolenTo.get() == cs[1], "carrier 1 took the reader: " + cs[1].stats());
        assertTrue(resumedOn.get() == cs[0], "resumed on carrier 0, whose epoll woke it, not on the thief: " + resumedOn.get()
                + " / " + resumedOnThread.get());
        assertTrue(resumedOnThread.get() == cs[0].loopThread(), "and on carrier 0's loop thread");
        assertTrue(reader.join(LIMIT), "the reader ended");
        assertEquals(0, cs[0].live.get(), "live on carrier 0");
        assertEquals(0, cs[1].live.get(), "live on carrier 1");
    }

    /** A coroutine (non-blocking {@code ch}): reads one byte, waiting through coio's readiness wait. */
    private static void readOne(SocketChannel ch, int fd) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        while (ch.read(b) == 0) {
            Hooks.poll(fd, Hooks.POLLIN, 0, () -> true);
        }
    }

    @Test
    void lendingTheRunQueueRacesWithRunEndsAndHandOffsWithoutLosingTheLoop() throws Exception {
        Carrier c = carriers(1)[0];
        // A thief that lends and returns the carrier's queue as fast as it can, racing with every run's end and with
        // the coroutines' own hand-offs: a run end that took a just-returned queue for a hand-off would leave the
        // loop without a thread, and the coroutines below would never finish.
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong lends = new java.util.concurrent.atomic.AtomicLong();
        Thread thief = Thread.ofPlatform().name("lender").start(() -> {
            while (!stop.get()) {
                long token = c.lendRunQueue();
                if (token != 0) {
                    lends.incrementAndGet();
                    c.returnRunQueue(token);
                }
            }
        });
        int n = 20;
        int rounds = 2000;
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            start(c, "yielder-" + i, () -> {
                for (int r = 0; r < rounds; r++) {
                    if (r % 100 == k) {
                        Hooks.beforeBlocking(Hooks.FILE); // a hand-off from inside, racing with the lender
                    }
                    Thread.yield();
                }
                done.countDown();
            });
        }
        try {
            assertTrue(done.await(LIMIT.toSeconds() * 2, TimeUnit.SECONDS),
                    "every coroutine ran to its end: " + done.getCount() + " left, " + lends + " lends, " + c.stats());
        } finally {
            stop.set(true);
            thief.join();
        }
        assertTrue(lends.get() > 0, "the queue was lent during runs: " + lends);
        assertTrue(runsOn(c), "the carrier still runs coroutines");
    }

    /** True if a new coroutine on {@code c} runs to its end within the limit. */
    private static boolean runsOn(Carrier c) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        start(c, "probe", ran::countDown);
        return ran.await(LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    // ---- helpers ----

    private Carrier[] carriers(int n) {
        return rig.carriers(n, 2);
    }

    private SocketChannel[] socketPair() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel a = SocketChannel.open(server.getLocalAddress());
        SocketChannel b = server.accept();
        server.close();
        b.configureBlocking(false);
        rig.closeAfter(a);
        rig.closeAfter(b);
        return new SocketChannel[] {a, b};
    }

    /** The test thread (blocking channel): writes one byte and reads the echo, waiting at most {@link #LIMIT}. */
    private static char roundTrip(SocketChannel ch, char c) throws Exception {
        ch.write(ByteBuffer.wrap(new byte[] {(byte) c}));
        ch.socket().setSoTimeout((int) LIMIT.toMillis());
        int r = ch.socket().getInputStream().read(); // SocketTimeoutException after the limit
        if (r < 0) {
            throw new AssertionError("closed");
        }
        return (char) r;
    }

    /** A plain coroutine on {@code c} (not stealable). */
    private static Thread start(Carrier c, String name, Runnable body) {
        Thread t = JdkInternals.virtualThreadBuilder(c).name(name).unstarted(body);
        t.start();
        return t;
    }

    /** Not used: {@link #startConverted}'s coroutines run their body as their own task. */
    private static final AppThreadBody NO_BODY = new AppThreadBody() {
        @Override
        public void begin(Thread app) {
        }

        @Override
        public void uncaught(Thread app, Throwable e) {
        }

        @Override
        public void ended(Thread app) {
        }
    };

    /** A converted thread's coroutine on {@code c} (stealable), counted in {@code live} as the runtime counts it. */
    private static Thread startConverted(Carrier c, String name, Runnable body) {
        Thread app = new Thread(body, name);
        AppThreadScheduler s = new AppThreadScheduler(c, app, NO_BODY); // the task below runs the body
        c.live.incrementAndGet();
        Thread t = JdkInternals.virtualThreadBuilder(s).name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                s.carrier.live.decrementAndGet();
            }
        });
        s.bind(t);
        t.start();
        return t;
    }

    static void spinUntil(CountDownLatch stop) {
        while (stop.getCount() > 0) {
            Thread.onSpinWait();
        }
    }

    private static void spinMicros(long micros) {
        long end = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
