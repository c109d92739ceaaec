package io.coio.nativeswap;

import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Test helpers: one coio runtime with a single carrier for this JVM, coroutines whose outcome reaches the test thread. */
final class Coroutines {
    static final Duration LIMIT = Duration.ofSeconds(30);

    private Coroutines() {}

    /** One carrier: a native call that blocked it would stop every other coroutine. */
    static CoioRuntime runtime() {
        return CoioRuntime.start(1);
    }

    /** A started coroutine running {@code body}; its result or exception completes {@code result()}. */
    record Running<T>(Thread thread, CompletableFuture<T> result) {}

    /** A coroutine body that may throw anything (FFM calls declare Throwable). */
    interface Body<T> {
        T call() throws Throwable;
    }

    static <T> Running<T> start(String name, Body<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = runtime().newCoroutine(name, () -> {
            try {
                f.complete(body.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.start();
        return new Running<>(t, f);
    }

    /** Waits (bounded) until {@code t} is parked: for a coroutine in a native call, parked on its carrier. */
    static void awaitParked(Thread t) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > end || !t.isAlive()) {
                throw new AssertionError(t + " never parked (state " + t.getState() + ")");
            }
            Thread.sleep(5);
        }
    }

    static long pinnedFallbacks() {
        return runtime().stats().stream().mapToLong(CarrierStats::pinnedFallbacks).sum();
    }
}
