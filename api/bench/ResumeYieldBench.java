/*
 * ResumeYieldBench.java - resume->yield round trips of coio's explicit coroutines (io.coio.api.Coroutine)
 * against the floors and alternatives: a raw JDK continuation (what Coroutine is built on) and a
 * virtual-thread LockSupport hand-off. native-swap's C co_resume/co_yield_ct comes from
 * native-swap/bench (run.sh prints both). Not a test: numbers depend on the machine. Run by bench/run.sh.
 *
 * One "pair" = one resume plus the yield that returns to the resumer. Each case warms up, then reports
 * the best of 5 timed runs.
 */
import io.coio.api.Coio;
import io.coio.api.Coroutine;
import io.coio.runtime.CoioRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

public class ResumeYieldBench {
    interface Case {
        long run(long n) throws Exception; // n pairs; elapsed ns
    }

    static void measure(String name, long n, Case c) throws Exception {
        c.run(n);
        c.run(n);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            best = Math.min(best, c.run(n) / (double) n);
        }
        System.out.printf("%-62s %9.1f ns/pair%n", name, best);
    }

    static volatile Object sink;

    /** Coroutine resumed by another coroutine: the resumer is on the loop host, the resume is nested (fast path). */
    static long nested(long n) {
        long[] t = new long[1];
        Coroutine gen = Coroutine.create("gen", first -> {
            for (long i = 0; ; i++) {
                Coroutine.yield(i);
            }
        });
        Coroutine driver = Coroutine.create("driver", () -> {
            long t0 = System.nanoTime();
            Object last = null;
            for (long i = 0; i < n; i++) {
                last = gen.resume();
            }
            t[0] = System.nanoTime() - t0;
            sink = last;
        });
        driver.resume();
        return t[0];
    }

    /** Coroutine resumed from the platform main thread: each resume goes through the thread's loop host. */
    static long fromPlatform(long n) {
        Coroutine gen = Coroutine.create("gen", first -> {
            for (long i = 0; ; i++) {
                Coroutine.yield(i);
            }
        });
        long t0 = System.nanoTime();
        Object last = null;
        for (long i = 0; i < n; i++) {
            last = gen.resume();
        }
        long t = System.nanoTime() - t0;
        sink = last;
        return t;
    }

    /** Coroutine resumed from a coio coroutine thread (what a converted thread is): hand-off to the carrier's host. */
    static long fromConvertedThread(long n) throws Exception {
        CoioRuntime rt = CoioRuntime.start(1);
        long[] t = new long[1];
        CountDownLatch done = new CountDownLatch(1);
        Thread th = rt.newCoroutine("converted", () -> {
            Coroutine gen = Coroutine.create("gen", first -> {
                for (long i = 0; ; i++) {
                    Coroutine.yield(i);
                }
            });
            long t0 = System.nanoTime();
            Object last = null;
            for (long i = 0; i < n; i++) {
                last = gen.resume();
            }
            t[0] = System.nanoTime() - t0;
            sink = last;
            done.countDown();
        });
        th.start();
        done.await();
        return t[0];
    }

    static final ContinuationScope SCOPE = new ContinuationScope("bench");

    /** The floor: a raw jdk.internal.vm.Continuation run + yield. */
    static long rawContinuation(long n) {
        Continuation cont = new Continuation(SCOPE, () -> {
            while (true) {
                Continuation.yield(SCOPE);
            }
        });
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            cont.run();
        }
        return System.nanoTime() - t0;
    }

    /** Two virtual threads handing a turn back and forth with LockSupport (JDK scheduler, parallelism 1). */
    static long virtualHandoff(long n) throws Exception {
        final class Turn {
            volatile int owner;
        }
        Turn turn = new Turn();
        Thread[] ab = new Thread[2];
        ab[1] = Thread.ofVirtual().unstarted(() -> {
            for (long i = 0; i < n; i++) {
                while (turn.owner != 1) {
                    LockSupport.park();
                }
                turn.owner = 0;
                LockSupport.unpark(ab[0]);
            }
        });
        long[] t = new long[1];
        ab[0] = Thread.ofVirtual().unstarted(() -> {
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                turn.owner = 1;
                LockSupport.unpark(ab[1]);
                while (turn.owner != 0) {
                    LockSupport.park();
                }
            }
            t[0] = System.nanoTime() - t0;
        });
        ab[1].start();
        ab[0].start();
        ab[0].join();
        ab[1].join();
        return t[0];
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        System.out.println("pairs per run: " + n + ", " + Runtime.getRuntime().availableProcessors() + " cpus, "
                + System.getProperty("java.vm.name") + " " + Runtime.version());
        measure("raw JDK Continuation run+yield (floor)", n, ResumeYieldBench::rawContinuation);
        measure("coio Coroutine, resumed by a coroutine (nested)", n, ResumeYieldBench::nested);
        measure("coio Coroutine, resumed from a platform thread", n / 10, ResumeYieldBench::fromPlatform);
        measure("coio Coroutine, resumed from a coio thread (converted)", n / 10, ResumeYieldBench::fromConvertedThread);
        measure("virtual threads, LockSupport hand-off A->B->A", n / 10, ResumeYieldBench::virtualHandoff);
        Coio.sleep(0);
    }
}
