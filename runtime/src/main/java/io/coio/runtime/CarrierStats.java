package io.coio.runtime;

/**
 * A snapshot of one carrier's counters. Values are read without a lock while the carrier runs, so a
 * snapshot is approximate but each counter only grows (except {@code live}).
 *
 * @param carrier         the carrier's index ({@code coio-carrier-<carrier>})
 * @param started         coroutines placed on this carrier by coio
 * @param live            of those, the ones not yet finished
 * @param parks           readiness waits (a coroutine parked until its fd was ready or timed out)
 * @param wakeups         readiness waits ended by epoll reporting the fd ready
 * @param epollWaits      times the carrier had nothing to run and blocked in epoll
 * @param pinnedFallbacks times a pinned coroutine (class initializer, native frame) blocked its OS thread
 *                        and the carrier handed its event loop to a fresh OS thread so the others kept running
 * @param runQueue        coroutines ready to run and waiting for this carrier, at the moment of the snapshot
 *
 * <p>The JMX view and the JFR statistics event are generated from this record's components: a component added
 * here shows up there without further code.
 */
public record CarrierStats(int carrier, long started, long live, long parks, long wakeups, long epollWaits,
                           long pinnedFallbacks, long runQueue) {
    /** The one-line form printed by the agent's {@code stats=true}. */
    @Override
    public String toString() {
        return "coio stats: carrier=" + carrier + " started=" + started + " live=" + live + " parks=" + parks
                + " wakeups=" + wakeups + " epollWaits=" + epollWaits + " pinnedFallbacks=" + pinnedFallbacks;
    }
}
