package io.coio.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking call in progress on a carrier's loop thread, handed off only if it lasts (Go's sysmon rule for
 * syscalls). A file read mostly does not block (page cache, {@code /dev/urandom}, a small config file), and
 * handing the loop to a spare before each one costs 20–30 µs; so the coroutine makes the call on the loop thread,
 * marked "in a blocking call since t", and the {@link Watchdog} hands the loop off ({@link LoopOwner#handOff}, from
 * outside, race-free through the run token) only when it finds the same call still in progress {@link #DELAY} or
 * more after it began. Until then the carrier's other coroutines wait, at most the delay plus one watchdog period.
 *
 * <p>The mark, one per carrier (the token of the run whose coroutine is in the call; 0: none):
 * <pre>
 *   0      -> token   // begin: the coroutine of run token, on the loop thread, enters a blocking call
 *   token  -> 0       // end: that call returned (compare-and-set: the end of a call made by a run that was handed
 *                     //      off meanwhile never clears a later run's mark)
 *   token  -> token'  // begin by a later run (on the new loop thread) while a handed-off call still goes on
 * </pre>
 * A nested blocking call of the same run (a {@code FileChannel.transferTo} reading through a stream) leaves the outer
 * mark alone. An {@code Object.wait} is marked and never ended ({@link Hooks#beforeObjectWait}): a wait that unmounts
 * ends its run, which voids the mark; only a pinned one keeps the run, and the loop thread, past the delay. Stale reads are harmless: the watchdog's hand-off of a run that has ended fails on its token; one of a
 * run whose call ended a moment before moves a loop that did not need to move (what every file call cost before).
 *
 * <p>Threads: {@link #begin}/{@link #end} by coroutines of the carrier ({@code begin} only on the loop thread);
 * {@link #due} by the watchdog; {@link #enable} once, by the watchdog's constructor, before it looks.
 */
final class DeferredHandOff {
    /** A blocking call in progress this long is handed off (at the watchdog's first look after it). */
    static final long DELAY = TimeUnit.MILLISECONDS.toNanos(1);

    private final LoopOwner owner;
    /** True when a watchdog looks at this carrier with hand-offs on: else blocking calls are handed off at once. */
    private volatile boolean enabled;
    /** The mark: the transitions above. */
    private final AtomicLong run = new AtomicLong();
    /** When the marked call began; written before the mark (the watchdog reads it after the mark). */
    private volatile long since;
    /** What the marked call is (file I/O, or an {@code Object.wait} that may pin); written with {@link #since}. */
    private volatile HandOffCause cause = HandOffCause.FILE;

    DeferredHandOff(LoopOwner owner) {
        this.owner = owner;
    }

    void enable() {
        enabled = true;
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * A coroutine of this carrier enters a blocking call: marks it if this thread drives the loop inside a run.
     * Returns the mark to pass to {@link #end}; 0 if nothing was marked (not on the loop thread any more: its run
     * was handed off before; or a nested call).
     */
    long begin(HandOffCause what) {
        long token = owner.currentRun(); // read before the thread: a newer run's token implies the thread moved
        if (token <= 0 || !owner.onLoopThread() || run.get() == token) {
            return 0;
        }
        since = System.nanoTime();
        cause = what;
        run.set(token);
        return token;
    }

    /** Watchdog, after {@link #due}: the cause to count the hand-off under (a racy read: at worst misattributed). */
    HandOffCause cause() {
        return cause;
    }

    /** The blocking call marked as {@code mark} (non-zero, from {@link #begin}) returned. */
    void end(long mark) {
        run.compareAndSet(mark, 0);
    }

    /** Watchdog: the run whose blocking call has been in progress for {@link #DELAY} at {@code now}, or 0. */
    long due(long now) {
        long token = run.get();
        return token > 0 && now - since >= DELAY ? token : 0;
    }
}
