package io.coio.nativeswap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Native coroutines under Java threads: migration between threads, isolation, concurrency guard. */
class ThreadsTest {

    @BeforeEach
    void nativeAvailable() {
        TestLib.assumeNative();
    }

    @Test
    void aSuspendedCoroutineCanBeResumedFromAnyThreadIncludingVirtualOnes() throws Exception {
        try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_forever"), MemorySegment.NULL);
             ExecutorService platform = Executors.newFixedThreadPool(2);
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                ExecutorService on = i % 3 == 0 ? platform : i % 3 == 1 ? virtual : null;
                Suspension s = on == null ? co.resume() : on.submit(() -> co.resume()).get();
                assertEquals(new Suspension.Yielded(i), s);
            }
        }
    }

    @Test
    void threadsDrivingTheirOwnCoroutinesDoNotInterfere() throws Exception {
        int threads = 4;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<NativeCoroutine> mine = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        mine.add(NativeCoroutine.create(TestLib.fn("coio_test_forever"), MemorySegment.NULL, 32 * 1024));
                    }
                    long sum = 0;
                    for (int round = 0; round < 500; round++) {
                        for (NativeCoroutine co : mine) {
                            sum += ((Suspension.Yielded) co.resume()).value();
                        }
                    }
                    mine.forEach(NativeCoroutine::close);
                    return sum;
                }));
            }
            start.countDown();
            long expected = 20L * (499L * 500 / 2);
            for (Future<Long> f : results) {
                assertEquals(expected, f.get());
            }
        }
    }

    @Test
    void concurrentResumeOfOneCoroutineIsRefused() throws Exception {
        // Eight threads hammer one coroutine: each resume either runs alone or is refused.
        try (NativeCoroutine co = NativeCoroutine.create(TestLib.fn("coio_test_forever"), MemorySegment.NULL)) {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            int threads = 8;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            long[] resumes = new long[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 2000; i++) {
                            try {
                                co.resume();
                                resumes[id]++;
                            } catch (IllegalStateException refused) {
                                assertTrue(refused.getMessage().contains("another thread"), refused.getMessage());
                            }
                        }
                    } catch (Throwable e) {
                        seen.compareAndSet(null, e);
                    }
                }));
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            if (seen.get() != null) {
                throw new AssertionError(seen.get());
            }
            long total = 0;
            for (long r : resumes) {
                total += r;
            }
            // every accepted resume yielded exactly the next number: no two ran at once
            assertEquals(new Suspension.Yielded(total), co.resume());
        }
    }
}
