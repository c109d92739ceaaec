package io.coio.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CoCond (co_cond_*): waits that yield, signal order, timeouts, and signals from other threads. */
class CoCondTest {

    @Test
    void producerAndConsumerOnOneThreadHandOverEveryTask() {
        CoCond cond = new CoCond();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        List<Integer> consumed = new ArrayList<>();
        Coroutine consumer = Coroutine.create("consumer", () -> {
            while (consumed.size() < 5) {
                if (queue.isEmpty()) {
                    cond.await(-1);
                    continue;
                }
                consumed.add(queue.poll());
            }
        });
        Coroutine producer = Coroutine.create("producer", () -> {
            for (int i = 0; i < 5; i++) {
                queue.add(i);
                cond.signal();
                Coio.sleep(5);
            }
        });
        consumer.resume();
        // The consumer waits on the cond and gave control back (it did not block the thread).
        assertEquals(Coroutine.State.WAITING, consumer.state());
        producer.resume();
        Coio.eventLoop(() -> consumer.isDone() && producer.isDone() ? -1 : 0);
        assertEquals(List.of(0, 1, 2, 3, 4), consumed);
    }

    @Test
    void awaitTimesOutAndASignalWithNoWaiterIsLost() {
        CoCond cond = new CoCond();
        assertFalse(cond.signal());
        boolean[] result = {true};
        Coroutine co = Coroutine.create("waiter", () -> result[0] = cond.await(30));
        co.resume();
        Coio.eventLoop(() -> co.isDone() ? -1 : 0);
        assertFalse(result[0]);
        assertFalse(cond.signal(), "the timed-out waiter left the queue");
    }

    @Test
    void signalWakesInFifoOrderAndBroadcastWakesAll() {
        CoCond cond = new CoCond();
        List<String> woke = new ArrayList<>();
        List<Coroutine> cos = new ArrayList<>();
        for (String n : new String[] {"a", "b", "c", "d"}) {
            Coroutine co = Coroutine.create(n, () -> {
                cond.await(-1);
                woke.add(n);
            });
            co.resume();
            cos.add(co);
        }
        assertTrue(cond.signal());
        Coio.eventLoop(() -> woke.size() == 1 ? -1 : 0);
        assertEquals(3, cond.broadcast());
        Coio.eventLoop(() -> cos.stream().allMatch(Coroutine::isDone) ? -1 : 0);
        assertEquals(List.of("a", "b", "c", "d"), woke);
    }

    @Test
    void aSignalFromAnotherThreadWakesACoroutineOnThisThreadsLoop() throws Exception {
        CoCond cond = new CoCond();
        AtomicInteger woken = new AtomicInteger();
        AtomicReference<String> wokeOn = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread loopThread = new Thread(() -> {
            Coroutine co = Coroutine.create("waiter", () -> {
                if (cond.await(60_000)) {
                    woken.incrementAndGet();
                }
                wokeOn.set(Thread.currentThread().getName());
            });
            co.resume();
            waiting.countDown();
            Coio.eventLoop(() -> co.isDone() ? -1 : 0);
        }, "loop-thread");
        loopThread.start();
        assertTrue(waiting.await(60, TimeUnit.SECONDS));
        while (!cond.signal()) {
            Thread.onSpinWait(); // the waiter is queued before resume() returns; this does not spin in practice
        }
        loopThread.join(60_000);
        assertFalse(loopThread.isAlive());
        assertEquals(1, woken.get());
        assertTrue(wokeOn.get().startsWith("coio-explicit-host"), wokeOn.get());
    }

    @Test
    void aPlatformThreadCanWaitOnACoCond() throws Exception {
        CoCond cond = new CoCond();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread signaller = new Thread(() -> {
            try {
                Coio.sleep(50);
                while (!cond.signal()) {
                    Coio.sleep(5);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        signaller.start();
        assertTrue(cond.await(60_000));
        signaller.join(60_000);
        assertNull(failure.get());
    }
}
