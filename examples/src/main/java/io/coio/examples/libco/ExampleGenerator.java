package io.coio.examples.libco;

import io.coio.api.Coroutine;

import java.io.PrintStream;

/**
 * A pipeline that only explicit resume/yield allows (not one of libco's examples):
 * {@code example_generator N} prints the first N primes, computed by three coroutines chained by
 * resume/yield on one thread with no queue and no lock — a generator of integers, a filter that keeps
 * primes (it resumes the generator for each candidate), and the consumer (main) that resumes the filter
 * for each prime. Each stage runs only when the next one asks, so the generator never runs ahead.
 */
public final class ExampleGenerator {
    private ExampleGenerator() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        run(System.out, n);
    }

    /** Prints {@code n} primes, one per line, as {@code prime <k> = <p> (generated <g>)}. */
    static void run(PrintStream out, int n) {
        int[] generated = {0};
        Coroutine numbers = Coroutine.create("numbers", first -> {
            for (int i = 2; ; i++) {
                generated[0]++;
                Coroutine.yield(i);
            }
        });
        Coroutine primes = Coroutine.create("primes", first -> {
            for (;;) {
                int c = (Integer) numbers.resume();
                if (isPrime(c)) {
                    Coroutine.yield(c);
                }
            }
        });
        for (int k = 1; k <= n; k++) {
            int p = (Integer) primes.resume();
            out.printf("prime %d = %d (generated %d)\n", k, p, generated[0]);
        }
        out.flush();
        primes.release();
        numbers.release();
    }

    private static boolean isPrime(int c) {
        for (int d = 2; d * d <= c; d++) {
            if (c % d == 0) {
                return false;
            }
        }
        return true;
    }
}
