package io.coio.runtime;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel's view of a thread, which the watchdog uses to tell "blocked in native code" from "busy" (Linux). */
class OsThreadTest {
    @Test
    void aThreadThatComputesIsRunningAndOneThatWaitsIsSleeping() throws Exception {
        int me = OsThread.currentTid();
        assertNotEquals(OsThread.UNKNOWN_TID, me, "/proc/thread-self must be readable on Linux");
        assertEquals('R', OsThread.state(me), "the calling thread runs while it asks");
        AtomicInteger tid = new AtomicInteger(OsThread.UNKNOWN_TID);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            tid.set(OsThread.currentTid());
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(started.await(20, java.util.concurrent.TimeUnit.SECONDS));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (waiter.getState() != Thread.State.WAITING || OsThread.state(tid.get()) != 'S') {
                assertTrue(System.nanoTime() - deadline < 0, "the waiting thread never showed as sleeping ('S'): "
                        + OsThread.state(tid.get()));
                Thread.sleep(1);
            }
        } finally {
            release.countDown();
            waiter.join();
        }
        assertEquals(OsThread.UNKNOWN_STATE, OsThread.state(OsThread.UNKNOWN_TID));
    }
}
