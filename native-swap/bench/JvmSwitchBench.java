/*
 * JvmSwitchBench.java - the JVM side of the switch-cost table: a JDK continuation's yield+resume,
 * a virtual-thread park/unpark handoff, a platform-thread handoff, and a native coroutine of
 * native-swap resumed from Java through FFM. Run by bench/run.sh (needs
 * --add-exports java.base/jdk.internal.vm=ALL-UNNAMED and --enable-native-access=ALL-UNNAMED).
 *
 * A "switch" is one direction, as in the C benchmarks: a resume+yield round trip or an A->B->A
 * handoff is two switches. Each case warms up, then reports the best of 5 timed runs.
 */
import io.coio.nativeswap.NativeCoroutine;
import io.coio.nativeswap.Suspension;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

public class JvmSwitchBench {
    interface Case {
        /** Runs n round trips; returns elapsed nanoseconds. */
        long run(long n) throws Exception;
    }

    static double measure(String name, long n, Case c) throws Exception {
        c.run(n); // warm-up (JIT)
        c.run(n);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            best = Math.min(best, c.run(n) / (2.0 * n));
        }
        System.out.printf("%-42s %8.2f ns/switch%n", name, best);
        return best;
    }

    // --- JDK continuation ------------------------------------------------------------------
    static final ContinuationScope SCOPE = new ContinuationScope("bench");

    static long continuation(long n) {
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

    // --- park/unpark handoff between two threads (virtual or platform) -----------------------
    static final class Turn {
        volatile int owner; // 0: A runs, 1: B runs
    }

    static long handoff(Thread.Builder builder, long n) throws InterruptedException {
        Turn turn = new Turn();
        Thread[] ab = new Thread[2];
        long[] elapsed = new long[1];
        ab[1] = builder.unstarted(() -> {
            for (long i = 0; i < n; i++) {
                while (turn.owner != 1) {
                    LockSupport.park();
                }
                turn.owner = 0;
                LockSupport.unpark(ab[0]);
            }
        });
        ab[0] = builder.unstarted(() -> {
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                turn.owner = 1;
                LockSupport.unpark(ab[1]);
                while (turn.owner != 0) {
                    LockSupport.park();
                }
            }
            elapsed[0] = System.nanoTime() - t0;
        });
        ab[1].start();
        ab[0].start();
        ab[0].join();
        ab[1].join();
        return elapsed[0];
    }

    // --- native-swap from Java ---------------------------------------------------------------
    @SuppressWarnings("restricted")
    static long nativeCoroutine(MemorySegment routine, long n) {
        try (NativeCoroutine co = NativeCoroutine.create(routine, MemorySegment.NULL)) {
            long t0 = System.nanoTime();
            for (long i = 0; i < n; i++) {
                if (!(co.resume() instanceof Suspension.Yielded)) {
                    throw new AssertionError();
                }
            }
            return System.nanoTime() - t0;
        }
    }

    @SuppressWarnings("restricted")
    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        measure("JDK Continuation yield+resume", n, JvmSwitchBench::continuation);
        measure("virtual threads park/unpark handoff", n / 4, m -> handoff(Thread.ofVirtual(), m));
        measure("platform threads park/unpark handoff", n / 40, m -> handoff(Thread.ofPlatform(), m));
        String testLib = System.getProperty("coio.nativeswap.testlib");
        if (testLib != null) {
            io.coio.nativeswap.NativeSwap.ensureAvailable(); // before the test lib: it binds by soname
            MemorySegment forever = SymbolLookup.libraryLookup(Path.of(testLib), Arena.global())
                    .find("coio_test_forever").orElseThrow();
            measure("native coroutine resume+yield via FFM", n, m -> nativeCoroutine(forever, m));
        }
    }
}
