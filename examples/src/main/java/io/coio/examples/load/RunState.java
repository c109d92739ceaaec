package io.coio.examples.load;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the client threads share during one run: the deadline, the phase latches, live counters for
 * the progress line, and the errors. The phases keep every connection open while round trips run,
 * so "N connections" really means N at once:
 * <pre>
 *   workers: connect their share -> connected.countDown -> await start -> round trips
 *            -> done.countDown -> await release -> close everything
 *   main:    await connected -> start.countDown -> await done -> measure the server -> release.countDown
 * </pre>
 * All members are thread-safe.
 */
final class RunState {

    enum ErrorKind {
        CONNECT("connection"),
        IO("i/o"),
        VERIFY("verification"),
        TIMEOUT("timed out");

        final String label;

        ErrorKind(String label) {
            this.label = label;
        }
    }

    private static final int KEPT_MESSAGES = 5;

    final long deadlineNanos;
    final CountDownLatch connected;
    final CountDownLatch start = new CountDownLatch(1);
    final CountDownLatch done;
    final CountDownLatch release = new CountDownLatch(1);

    final AtomicInteger open = new AtomicInteger();
    final LongAdder roundTrips = new LongAdder();

    private final Map<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
    private final List<String> firstMessages = new ArrayList<>(); // guarded by itself

    RunState(int workers, long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        this.connected = new CountDownLatch(workers);
        this.done = new CountDownLatch(workers);
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, new LongAdder());
        }
    }

    boolean expired() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** Nanoseconds left before the deadline, at least 0. */
    long remainingNanos() {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    /** Waits for {@code latch} until the deadline plus {@code graceNanos}; false if it did not open. */
    boolean await(CountDownLatch latch, long graceNanos) throws InterruptedException {
        return latch.await(remainingNanos() + graceNanos, TimeUnit.NANOSECONDS);
    }

    void error(ErrorKind kind, String message) {
        errors.get(kind).increment();
        synchronized (firstMessages) {
            if (firstMessages.size() < KEPT_MESSAGES) {
                firstMessages.add(kind.label + ": " + message);
            }
        }
    }

    long errors(ErrorKind kind) {
        return errors.get(kind).sum();
    }

    long totalErrors() {
        long total = 0;
        for (LongAdder count : errors.values()) {
            total += count.sum();
        }
        return total;
    }

    List<String> firstMessages() {
        synchronized (firstMessages) {
            return List.copyOf(firstMessages);
        }
    }
}
