package io.coio.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deferred hand-off of file calls ({@link DeferredHandOff}, {@link Hooks#beforeFileIo}/{@link Hooks#afterFileIo}, what
 * the agent wraps every file I/O method in): a file call runs on the loop thread and the watchdog moves the loop
 * only if the call is still in progress after {@link DeferredHandOff#DELAY}. One carrier each, so "another coroutine
 * ran" is only possible through a hand-off. The watchdog's own thresholds are ten minutes: only the deferred rule
 * can move a loop within a test.
 */
@Timeout(120)
class DeferredHandOffTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Duration NEVER = Duration.ofMinutes(10);
    private final CarrierRig rig = new CarrierRig();

    @AfterEach
    void stopAll() throws Exception {
        rig.stopAll();
    }

    @Test
    void aFileReadThatBlocksIsHandedOffByTheWatchdogAndTheCarriersOthersRunMeanwhile(@TempDir Path dir) throws Exception {
        Carrier c = carrierWithWatchdog();
        Path fifo = HandOffTest.fifo(dir);
        try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) { // O_RDWR: the reader's open won't block
            CompletableFuture<Integer> read = new CompletableFuture<>();
            CompletableFuture<Long> mark = new CompletableFuture<>();
            start(c, "reader", () -> {
                try (FileInputStream in = new FileInputStream(fifo.toFile())) {
                    long m = Hooks.beforeFileIo(); // what the agent's FileInputStream.read prologue does
                    mark.complete(m);
                    try {
                        read.complete(in.read()); // blocks: no writer data yet
                    } finally {
                        Hooks.afterFileIo(m);
                    }
                } catch (Throwable e) {
                    mark.completeExceptionally(e);
                    read.completeExceptionally(e);
                }
            });
            assertTrue(mark.get(LIMIT.toSeconds(), TimeUnit.SECONDS) > 0, "the read was marked, not handed off at once");
            // The reader holds the only loop thread until the watchdog moves the loop: a probe runs only after that.
            for (int i = 0; i < 3; i++) {
                assertTrue(HandOffTest.runsOn(c), "another coroutine of the carrier ran while the reader was blocked");
            }
            assertEquals(1, c.stats().fileHandOffs(), "the blocked read was handed off, as a file hand-off: " + c.stats());
            assertEquals(0, c.stats().watchdogHandOffs() + c.stats().busyHandOffs(), "by the deferred rule only");
            assertTrue(!read.isDone(), "the read is still blocked");
            writer.write(42);
            assertEquals(42, read.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
        HandOffTest.awaitTrue(() -> rig.poolOf(0).idleCount() == 1, "the thread that blocked went back to the spare pool");
        assertTrue(HandOffTest.runsOn(c), "the carrier still runs coroutines after the hand-off");
        assertEquals(1, c.stats().fileHandOffs(), "one hand-off in all: " + c.stats());
    }

    @Test
    void readsThatDoNotBlockMakeNoHandOff(@TempDir Path dir) throws Exception {
        Carrier c = carrierWithWatchdog();
        Path file = dir.resolve("small");
        Files.write(file, new byte[4096]);
        int reads = 400;
        CompletableFuture<Integer> marked = new CompletableFuture<>();
        start(c, "reader", () -> {
            try (FileInputStream urandom = new FileInputStream("/dev/urandom");
                 RandomAccessFile regular = new RandomAccessFile(file.toFile(), "r")) {
                byte[] b = new byte[64];
                int m = 0;
                for (int i = 0; i < reads; i++) {
                    long mark = Hooks.beforeFileIo();
                    try {
                        if (i % 2 == 0) {
                            assertEquals(b.length, urandom.read(b));
                        } else {
                            regular.seek(0);
                            assertEquals(b.length, regular.read(b));
                        }
                    } finally {
                        Hooks.afterFileIo(mark);
                    }
                    m += mark > 0 ? 1 : 0;
                    Thread.yield(); // the next read is in a new run: a hand-off before it would count again
                }
                marked.complete(m);
            } catch (Throwable e) {
                marked.completeExceptionally(e);
            }
        });
        assertEquals(reads, marked.get(LIMIT.toSeconds(), TimeUnit.SECONDS), "every read was marked on the loop thread");
        // A loop thread preempted by the kernel inside a read for over the delay is handed off too (rare, on a
        // loaded machine): a few are tolerated; a hand-off per read (not deferred) is 400.
        long handOffs = c.stats().fileHandOffs();
        System.out.println("deferred: " + reads + " reads from /dev/urandom and a regular file, " + handOffs + " hand-offs");
        assertTrue(handOffs <= reads / 50, "reads that do not block cost (almost) no hand-off: " + c.stats());
    }

    @Test
    void withoutAWatchdogAFileCallHandsOffAtOnce() throws Exception {
        Carrier c = rig.carrier(1);
        CompletableFuture<Long> mark = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        start(c, "reader", () -> {
            long m = Hooks.beforeFileIo();
            mark.complete(m);
            try {
                release.await(); // stands for a blocking read: it holds this OS thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                Hooks.afterFileIo(m);
            }
        });
        assertEquals(0L, mark.get(LIMIT.toSeconds(), TimeUnit.SECONDS), "nothing marked: handed off at once");
        assertEquals(1, c.stats().fileHandOffs());
        release.countDown();
        assertTrue(HandOffTest.runsOn(c));
    }

    // ---- helpers ----

    /** One carrier with one spare, and a watchdog whose only rule that can act within a test is the deferred one. */
    private Carrier carrierWithWatchdog() {
        Carrier c = rig.carrier(1);
        rig.watchdog(new Watchdog(new Carrier[] {c}, NEVER, NEVER, Duration.ZERO, null,
                Thread.currentThread().getThreadGroup()));
        return c;
    }

    private static void start(Carrier c, String name, Runnable body) {
        JdkInternals.virtualThreadBuilder(c).name(name).unstarted(body).start();
    }
}
