package io.coio.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The hook switch's "off" side: an explicit coroutine that turned coio's I/O hooks off and then makes a
 * blocking socket call blocks its carrier's OS thread in {@code poll(2)}, as libco's coroutines do without
 * {@code co_enable_hook_sys}. The first such wait is reported on stderr (once per JVM); all are counted.
 */
final class HooksOff {
    static final AtomicLong BLOCKING_WAITS = new AtomicLong();

    private HooksOff() {
    }

    static void blockCarrier(Explicit co, int fd, int event, long nanos) {
        if (BLOCKING_WAITS.getAndIncrement() == 0) {
            System.err.println("coio: coroutine '" + co.name() + "' has its I/O hooks off (Coroutine.disableHooks):"
                    + " its socket wait blocks carrier thread " + JdkInternals.currentCarrierThread().getName()
                    + " and every coroutine on it, as libco does without co_enable_hook_sys"
                    + " (reported once; Coio.hooksOffBlockingWaits() counts them)");
        }
        blockPinned(fd, event, nanos);
    }

    /** Blocks the OS thread in {@code poll(2)}: also the fallback of a coroutine that cannot yield (pinned). */
    static void blockPinned(int fd, int event, long nanos) {
        long millis = nanos > 0 ? (nanos + 999_999L) / 1_000_000L : -1; // round up: never early
        NativePoll.poll(fd, event, millis);
    }
}
