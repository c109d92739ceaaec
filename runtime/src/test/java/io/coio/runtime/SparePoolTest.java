package io.coio.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spare pool's side of a hand-off that may lose its race: a hand-off acquires its spare (starting one if none
 * is idle) before it takes the loop, and gives it back when another hand-off or the run's end won.
 */
@Timeout(60)
class SparePoolTest {
    private final ThreadGroup group = Thread.currentThread().getThreadGroup();

    @Test
    void anIdleSpareGivenBackIsIdleAgainAndRunsTheNextJob() throws Exception {
        SparePool pool = new SparePool(1, group);
        try {
            SparePool.Spare s = pool.acquire();
            assertFalse(s.isExtra(), "it was idle");
            assertEquals(0, pool.idleCount());
            pool.giveBack(s);
            assertEquals(1, pool.idleCount());
            SparePool.Spare again = pool.acquire();
            assertSame(s, again, "the same thread, not a new one");
            CountDownLatch ran = new CountDownLatch(1);
            again.run(ran::countDown);
            assertTrue(ran.await(30, TimeUnit.SECONDS), "it still runs a job");
        } finally {
            pool.stop();
        }
    }

    @Test
    void aSpareStartedBecauseNoneWasIdleEndsWhenGivenBackToAFullPool() throws Exception {
        SparePool pool = new SparePool(0, group);
        try {
            SparePool.Spare s = pool.acquire();
            assertTrue(s.isExtra(), "none was idle: a new one");
            assertTrue(s.thread.isAlive(), "started before it is used");
            pool.giveBack(s);
            s.thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(s.thread.isAlive(), "no idle place for it: it ended");
            assertEquals(0, pool.idleCount());
            SparePool.Spare next = pool.acquire();
            assertNotSame(s, next);
            pool.giveBack(next);
        } finally {
            pool.stop();
        }
    }

    @Test
    void anExtraThreadIsCountedAndSaidOnStderrOnlyWhenAsked() {
        SparePool pool = new SparePool(0, group);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true));
        try {
            pool.reportExtra();
            assertEquals("", said.toString(), "by default: counted, not printed");
            pool.sayExtraThreads(true); // the agent's report=all
            pool.reportExtra();
            assertTrue(said.toString().startsWith("coio: no spare loop thread was idle for a carrier hand-off; started"
                    + " one more (2 so far)"), said.toString());
            assertEquals(2, pool.extraThreads.get());
        } finally {
            System.setErr(err);
            pool.stop();
        }
    }

    /** A runtime that stops joins what {@code stop} returns: a failed install must leave no coio thread behind. */
    @Test
    void stopHandsBackEveryIdleSparesThreadToJoin() throws Exception {
        SparePool pool = new SparePool(2, group);
        SparePool.Spare busy = pool.acquire();
        java.util.List<Thread> ending = pool.stop();
        assertEquals(1, ending.size(), "the one idle spare: " + ending);
        assertNotSame(busy.thread, ending.get(0), "not the acquired one");
        for (Thread t : ending) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), t + " still runs after stop");
        }
        pool.giveBack(busy); // a stopped pool keeps none: it retires
        busy.thread.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(busy.thread.isAlive(), "a spare given back to a stopped pool ends");
    }
}
