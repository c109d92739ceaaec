package io.coio.runtime;

/**
 * A snapshot of one carrier's counters. Values are read without a lock while the carrier runs, so a
 * snapshot is approximate but each counter only grows (except {@code live}).
 *
 * <p>A <em>hand-off</em> moves the carrier's event loop to another OS thread because the coroutine it was
 * running had to block the OS thread itself; the other coroutines keep running. One counter per cause.
 *
 * @param carrier             the carrier's index ({@code coio-carrier-<carrier>})
 * @param started             coroutines placed on this carrier by coio
 * @param live                of those, the ones not yet finished
 * @param parks               readiness waits (a coroutine parked until its fd was ready or timed out)
 * @param wakeups             readiness waits ended by epoll reporting the fd ready
 * @param epollWaits          times the carrier had nothing to run and blocked in epoll
 * @param pinnedFallbacks     hand-offs because a pinned coroutine (class initializer, native frame) parked
 * @param pinnedWaitHandOffs  hand-offs because a pinned coroutine called {@code Object.wait}
 * @param fileHandOffs        hand-offs for file I/O ({@code FileInputStream}, {@code FileOutputStream},
 *                            {@code RandomAccessFile}, {@code FileChannel})
 * @param dnsHandOffs         hand-offs for host-name lookups through the JDK's platform resolver
 * @param blockerHandOffs     hand-offs for the JDK's other marked blocking operations ({@code jdk.internal.misc.Blocker}:
 *                            process pipes, console, {@code FileChannel.force/lock}, {@code FileDescriptor.sync})
 * @param watchdogHandOffs    hand-offs made by the carrier watchdog: the loop thread was blocked (monitor, wait,
 *                            native method) inside one coroutine run for longer than its threshold
 * @param busyHandOffs        hand-offs made by the carrier watchdog because one coroutine run had been busy on the
 *                            CPU without yielding for as long: it keeps its OS thread, the others run on
 * @param extraLoopThreads    hand-offs that found no idle spare loop thread and started one more
 * @param longRuns            coroutine runs reported by the watchdog as too long without yielding
 * @param runQueue            coroutines ready to run and waiting for this carrier, at the moment of the snapshot
 * @param registrations       fds this carrier registered with its epoll (once per fd while it is open: edge-triggered)
 * @param rearms              waits of this carrier's coroutines that re-armed their fd ({@code epoll_ctl MOD}): the
 *                            waits that no tracked socket read or write preceded (accept, connect, channels, native fds)
 * @param skippedSyscalls     socket reads and writes of this carrier's coroutines that coio answered "would block"
 *                            without the syscall, because the socket was drained with no epoll edge since
 * @param stolen              coroutines this carrier took from the run queue of a carrier that fell behind (work
 *                            stealing); each then belongs to this carrier
 * @param heapSocketIo        socket reads and writes of this carrier's coroutines that coio made itself, with
 *                            {@code recv}/{@code send} on the app's array instead of the JDK's copy through a
 *                            temporary direct buffer (tracked attempts of {@code java.net.Socket} streams)
 * @param wokenToSteal        times this carrier, idle in epoll, was woken to take ready coroutines from a carrier
 *                            that had one queued while it was inside another coroutine's run (what it took counts
 *                            in {@code stolen}; nothing, if that carrier got to it first)
 *
 * <p>The JMX view and the JFR statistics event are generated from this record's components: a component added
 * here shows up there without further code.
 */
public record CarrierStats(int carrier, long started, long live, long parks, long wakeups, long epollWaits,
                           long pinnedFallbacks, long pinnedWaitHandOffs, long fileHandOffs, long dnsHandOffs,
                           long blockerHandOffs, long watchdogHandOffs, long busyHandOffs, long extraLoopThreads, long longRuns,
                           long runQueue, long registrations, long rearms, long skippedSyscalls, long stolen,
                           long heapSocketIo, long wokenToSteal) {

    /** All hand-offs, whatever the cause. */
    public long handOffs() {
        return pinnedFallbacks + pinnedWaitHandOffs + fileHandOffs + dnsHandOffs + blockerHandOffs + watchdogHandOffs
                + busyHandOffs;
    }

    /** The one-line form printed by the agent's {@code stats=true}. */
    @Override
    public String toString() {
        return "coio stats: carrier=" + carrier + " started=" + started + " live=" + live + " parks=" + parks
                + " wakeups=" + wakeups + " epollWaits=" + epollWaits + " pinnedFallbacks=" + pinnedFallbacks
                + " pinnedWaitHandOffs=" + pinnedWaitHandOffs + " fileHandOffs=" + fileHandOffs
                + " dnsHandOffs=" + dnsHandOffs + " blockerHandOffs=" + blockerHandOffs
                + " watchdogHandOffs=" + watchdogHandOffs + " busyHandOffs=" + busyHandOffs
                + " extraLoopThreads=" + extraLoopThreads
                + " longRuns=" + longRuns + " registrations=" + registrations + " rearms=" + rearms
                + " skippedSyscalls=" + skippedSyscalls + " stolen=" + stolen
                + " heapSocketIo=" + heapSocketIo + " wokenToSteal=" + wokenToSteal;
    }
}
