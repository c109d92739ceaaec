package io.coio.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One platform daemon thread per runtime ({@code coio-watchdog}) that looks at every carrier a few times per
 * threshold. A blocking call that coio cannot intercept from Java (a contended monitor or an {@code Object.wait}
 * in code coio did not hook, a JNI method) blocks the OS thread under a coroutine; the watchdog sees the same
 * task run still in progress after {@code handOffAfter} while the loop thread is BLOCKED, WAITING,
 * TIMED_WAITING, or RUNNABLE but using (almost) no CPU since the run began and not running for the kernel
 * ({@code /proc}: blocked in native code, JNI or FFM), and
 * hands the loop off from outside ({@link Carrier#handOff}, race-free through the carrier's run token).
 *
 * <p>A run busy on the CPU for {@code busyAfter} (the time slice, 20 ms by default) is handed off too, as busy:
 * nothing can preempt a coroutine, so without it the carrier's other coroutines would wait for as long as it
 * computes. It keeps its OS thread, time-sliced by the kernel like a platform thread. A run longer than
 * {@code reportAfter} without yielding is reported once with its stack (the starvation report) — still on its
 * carrier, or on the thread it was handed off to, which the watchdog follows until that run ends.
 *
 * <p>A file call in progress on a loop thread ({@link DeferredHandOff}: marked, not handed off before it began) is
 * handed off at the first look that finds it {@link DeferredHandOff#DELAY} old (with hand-offs on; the period is then
 * at most {@link #DEFERRED_PERIOD}).
 *
 * <p>Each period the watchdog also gives {@link WorkStealing} its tick (when stealing is on).
 *
 * <p>Threads: all fields except {@link #stopped} belong to the watchdog thread.
 */
final class Watchdog {
    private final Carrier[] carriers;
    /** Blocked (monitor, wait, native code) this long inside one run: hand-off; 0: never. */
    private final long handOffAfter;
    /** Busy on the CPU this long inside one run: busy hand-off; 0: never. */
    private final long busyAfter;
    private final long reportAfter;
    private final long period;
    private final WorkStealing stealing;
    /** Per carrier: the run token last seen and since when (first seen). */
    private final long[] token;
    private final long[] since;
    /** Per carrier: the loop thread's CPU time when the run was seen a second time, and when; 0 = not yet taken. */
    private final long[] cpuSince;
    private final long[] cpuAt;
    /** Per-thread CPU time, to tell a thread blocked in native code (no CPU) from a busy one; null if unavailable. */
    private final java.lang.management.ThreadMXBean cpu;
    private final boolean[] reported;
    /** Per carrier: the run whose deferred blocking call was last handed off (not tried twice). */
    private final long[] deferredTried;
    /** Busy runs handed off and still running on their old thread: followed for the long-run report. */
    private final java.util.List<HandedOffRun> handedOff = new java.util.ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    /** A look this long after the previous one restarts every run's window ({@link #restartWindows}); 0: never. */
    private final long stallAfter;
    private volatile java.util.function.LongSupplier clock;

    /** A busy run that was handed off: its old thread finishes it (see {@link Carrier#finishing}). */
    private record HandedOffRun(Carrier carrier, long token, Thread coroutine, long since, boolean reported) {}

    /** With hand-offs on, the longest period: a deferred blocking call waits at most its delay plus this. */
    static final long DEFERRED_PERIOD = TimeUnit.MILLISECONDS.toNanos(5);

    /** Busy runs are handed off after {@code handOffAfter} like blocked ones; no stealing. */
    Watchdog(Carrier[] carriers, Duration handOffAfter, Duration reportAfter, ThreadGroup group) {
        this(carriers, handOffAfter, Duration.ZERO, reportAfter, null, group);
    }

    /**
     * @param handOffAfter a run blocked this long is handed off; zero: no watchdog hand-off at all (busy ones neither)
     * @param busySlice    a run busy on the CPU this long is handed off; zero: after {@code handOffAfter}
     * @param reportAfter  a run this long without yielding is reported; zero: never
     * @param stealing     ticked each period, or null
     * No check on and no stealing: no thread is started.
     */
    Watchdog(Carrier[] carriers, Duration handOffAfter, Duration busySlice, Duration reportAfter,
             WorkStealing stealing, ThreadGroup group) {
        this.carriers = carriers;
        this.handOffAfter = handOffAfter.toNanos();
        this.busyAfter = this.handOffAfter == 0 ? 0 : busySlice.isZero() ? this.handOffAfter : busySlice.toNanos();
        this.reportAfter = reportAfter.toNanos();
        this.stealing = stealing;
        long shortest = Math.min(Math.min(orMax(this.handOffAfter), orMax(this.busyAfter)), orMax(this.reportAfter));
        if (shortest == Long.MAX_VALUE && stealing != null) {
            shortest = TimeUnit.MILLISECONDS.toNanos(10);
        }
        long longest = this.handOffAfter != 0 ? DEFERRED_PERIOD : Long.MAX_VALUE;
        this.period = Math.min(longest, Math.max(TimeUnit.MILLISECONDS.toNanos(1), shortest / 4));
        // the shortest threshold that concludes from elapsed time alone (blocked, long run); not the busy slice, which
        // also needs the CPU the thread used
        long concluding = Math.min(orMax(this.handOffAfter), orMax(this.reportAfter));
        this.stallAfter = concluding == Long.MAX_VALUE ? 0 : concluding;
        this.token = new long[carriers.length];
        this.since = new long[carriers.length];
        this.cpuSince = new long[carriers.length];
        this.cpuAt = new long[carriers.length];
        this.cpu = threadCpu();
        this.reported = new boolean[carriers.length];
        this.deferredTried = new long[carriers.length];
        if (shortest == Long.MAX_VALUE) {
            thread = null;
            return;
        }
        if (this.handOffAfter != 0) {
            for (Carrier c : carriers) {
                c.deferred.enable(); // from now on their file calls wait for this watchdog's look
            }
        }
        thread = CleanThread.unstarted(group, "coio-watchdog", new Runnable() { // not a lambda: start-up
            @Override
            public void run() {
                Watchdog.this.run();
            }
        });
        thread.start();
    }

    private static long orMax(long nanos) {
        return nanos == 0 ? Long.MAX_VALUE : nanos;
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    Thread thread() {
        return thread;
    }

    private void run() {
        long last = now();
        while (!stopped) {
            LockSupport.parkNanos(this, period);
            long now = now();
            if (stallAfter != 0 && now - last >= stallAfter) {
                restartWindows(now);
            }
            last = now;
            for (int i = 0; i < carriers.length; i++) {
                try {
                    checkDeferred(i, now);
                    check(i, now);
                } catch (Throwable t) {
                    Carrier.report("the carrier watchdog failed checking carrier " + i, t);
                }
            }
            try {
                followHandedOff(now);
                if (stealing != null) {
                    stealing.tick();
                }
            } catch (Throwable t) {
                Carrier.report("the carrier watchdog failed", t);
            }
        }
    }

    /**
     * The watchdog did not look for a whole threshold (a GC pause or another safepoint stopped every Java thread, or
     * the machine starved it of CPU): what the carriers did meanwhile was not seen, and a loop thread that has just
     * come back from the same stop looks as if it had been blocked, with no CPU, all along (in the JVM's safepoint
     * wait it is even asleep for the kernel). Every run in progress is timed again from now, so that nothing is
     * handed off or reported as blocked or long on the strength of the stop alone; a run that really blocks is handed
     * off one threshold later.
     */
    private void restartWindows(long now) {
        for (int i = 0; i < carriers.length; i++) {
            if (token[i] != 0) {
                since[i] = now;
                cpuAt[i] = 0;
            }
        }
    }

    /** Tests only: the clock the watchdog reads (null: {@code System.nanoTime()}). */
    void clock(java.util.function.LongSupplier clock) {
        this.clock = clock;
    }

    private long now() {
        java.util.function.LongSupplier c = clock;
        return c == null ? System.nanoTime() : c.getAsLong();
    }

    /** Hands off a carrier whose loop thread has been in one blocking call for {@link DeferredHandOff#DELAY}. */
    private void checkDeferred(int i, long now) {
        Carrier c = carriers[i];
        long run = c.deferred.due(now);
        if (run == 0 || run == deferredTried[i] || c.currentRun() != run) {
            return; // none, already handed off (its old thread still in the call), or that run ended
        }
        deferredTried[i] = run;
        HandOffCause cause = c.deferred.cause();
        boolean recorded = CoioEvents.handOffRecorded();
        // Which coroutine and its stack, read before the hand-off, while it is still in the call: the new loop
        // thread's runs replace the carrier's running task, and after the hand-off the call may end at any moment
        // (a stack taken after it showed the reader back in its next socket read, on a loaded machine).
        Thread coroutine = recorded || cause == HandOffCause.PINNED_WAIT ? JdkInternals.virtualThreadOf(c.running()) : null;
        StackTraceElement[] stack = coroutine == null ? new StackTraceElement[0] : coroutine.getStackTrace();
        if (cause == HandOffCause.PINNED_WAIT && !WaitPinning.inPinnedWait(stack)) {
            // An Object.wait mark is never ended (Hooks.beforeObjectWait): a run still going 1 ms after its wait
            // began is either pinned in it, or went on after a wait that did not unmount (seen with H2: 1 or 2 in a
            // run of 100 clients). Only the first is the loop thread blocked; the blocked rule covers what this misses.
            return;
        }
        if (c.handOff(run, cause) && recorded && coroutine != null) {
            CoioEvents.handOff(c.id, cause.name(), describe(coroutine), stack);
        }
    }

    private void check(int i, long now) {
        Carrier c = carriers[i];
        long run = c.currentRun();
        if (run <= 0) {
            token[i] = 0;
            return;
        }
        if (run != token[i]) {
            token[i] = run;
            since[i] = now;
            cpuAt[i] = 0;
            reported[i] = false;
            return;
        }
        long ran = now - since[i];
        Thread loop = c.loopThread();
        if (cpuAt[i] == 0) { // seen twice: a run at least a period long (most runs are seen once, or never)
            cpuSince[i] = cpuTime(loop);
            cpuAt[i] = now;
            return;
        }
        boolean blockedDue = handOffAfter != 0 && ran >= handOffAfter;
        boolean busyDue = busyAfter != 0 && ran >= busyAfter;
        if (blockedDue || busyDue) {
            Thread.State state = loop.getState();
            long used = cpuTime(loop);
            long cpuRan = now - cpuAt[i];
            boolean cpuKnown = used >= 0 && cpuSince[i] >= 0;
            // Busy: it used the CPU (a tenth of the time at least), or it wants the CPU ('R' for the kernel) and is
            // starved of it on a loaded machine. A spinner that gets under a tenth of a CPU still holds its carrier:
            // without the 'R' rule it was never moved and the coroutines queued behind it waited for as long as it
            // spun (commons-pool's spin in GenericObjectPool.create, 1 s and more at load average ~11).
            boolean runnable = state == Thread.State.RUNNABLE && cpuKnown;
            boolean busy = runnable && ((used - cpuSince[i]) * 10 >= cpuRan
                    || OsThread.state(c.loopThreadOsTid()) == 'R');
            // RUNNABLE for the JVM, yet asleep for the kernel and (almost) no CPU: blocked in native code (JNI, or an
            // FFM downcall, which the stack does not show as native). A busy thread in a short native call (nanoTime)
            // uses CPU; a busy one starved of CPU on a loaded machine is running ('R').
            boolean inNative = runnable && !busy;
            boolean blocked = state == Thread.State.BLOCKED || state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING || inNative;
            if (blockedDue && blocked) {
                Thread coroutine = JdkInternals.virtualThreadOf(c.running());
                StackTraceElement[] stack = stackOf(coroutine, loop);
                if (c.handOff(run, HandOffCause.WATCHDOG)) {
                    CoioEvents.handOff(c.id, "watchdog", describe(coroutine), stack);
                    report("carrier " + c.id + " handed its event loop to another OS thread: " + describe(coroutine)
                            + " has been " + (inNative ? "in native code (RUNNABLE, no CPU)" : state) + " for "
                            + TimeUnit.NANOSECONDS.toMillis(ran) + " ms inside one run", stack);
                }
                return;
            }
            // Busy on the CPU: no coroutine can be preempted, so the others would wait for as long as it computes
            // (a pool's spin-wait would wait for ever for a coroutine queued behind it). It keeps its OS thread,
            // time-sliced by the kernel like a platform thread; the loop moves on. Counted, and a JFR event with
            // the stack; followed for the long-run report. Busy only with the evidence: it used the CPU (a tenth of
            // the time at least) or is running for the kernel (the complement of the native rule above). Neither
            // busy nor blocked (no CPU figures): look again.
            if (busyDue && busy) {
                Thread coroutine = JdkInternals.virtualThreadOf(c.running());
                if (reportAfter != 0 && ran >= reportAfter && !reported[i]) {
                    reportLongRun(c, coroutine, loop, ran, false);
                    reported[i] = true;
                }
                if (c.handOff(run, HandOffCause.BUSY)) {
                    CoioEvents.handOff(c.id, "busy", describe(coroutine),
                            CoioEvents.handOffRecorded() ? stackOf(coroutine, loop) : new StackTraceElement[0]);
                    if (coroutine != null) {
                        handedOff.add(new HandedOffRun(c, run, coroutine, since[i], reported[i]));
                    }
                }
                return;
            }
        }
        if (reportAfter != 0 && ran >= reportAfter && !reported[i]) {
            reported[i] = true;
            reportLongRun(c, JdkInternals.virtualThreadOf(c.running()), loop, ran, false);
        }
    }

    /** Reports a handed-off busy run that is still going after {@code reportAfter}; forgets ended ones. */
    private void followHandedOff(long now) {
        for (int k = handedOff.size() - 1; k >= 0; k--) {
            HandedOffRun r = handedOff.get(k);
            if (!r.carrier().finishing(r.token())) {
                handedOff.remove(k); // its old thread finished that run (the coroutine yielded or ended)
            } else if (reportAfter != 0 && !r.reported() && now - r.since() >= reportAfter) {
                handedOff.set(k, new HandedOffRun(r.carrier(), r.token(), r.coroutine(), r.since(), true));
                reportLongRun(r.carrier(), r.coroutine(), null, now - r.since(), true);
            }
        }
    }

    private void reportLongRun(Carrier c, Thread coroutine, Thread loop, long ran, boolean handedOffBefore) {
        c.longRuns.incrementAndGet();
        StackTraceElement[] stack = stackOf(coroutine, loop);
        CoioEvents.longRun(c.id, describe(coroutine), TimeUnit.NANOSECONDS.toMillis(ran), stack);
        report(describe(coroutine) + " has run " + TimeUnit.NANOSECONDS.toMillis(ran) + " ms on carrier " + c.id
                + " without yielding (CPU-bound, or a native call coio cannot see); " + (handedOffBefore
                ? "it was moved to an OS thread of its own after the busy time slice, so it holds that thread"
                : "the carrier's other coroutines wait meanwhile"), stack);
    }

    private static StackTraceElement[] stackOf(Thread coroutine, Thread loop) {
        return coroutine != null ? coroutine.getStackTrace() : loop != null ? loop.getStackTrace()
                : new StackTraceElement[0];
    }

    private long cpuTime(Thread t) {
        return cpu == null ? -1 : cpu.getThreadCpuTime(t.threadId());
    }

    private static java.lang.management.ThreadMXBean threadCpu() {
        try {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            return mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled() ? mx : null;
        } catch (LinkageError | RuntimeException noManagement) {
            return null; // no java.management module: only BLOCKED/WAITING loop threads are handed off
        }
    }

    private static String describe(Thread coroutine) {
        return coroutine == null ? "a task" : "coroutine \"" + coroutine.getName() + "\" (#" + coroutine.threadId() + ")";
    }

    private static void report(String what, StackTraceElement[] stack) {
        StringBuilder b = new StringBuilder("coio: ").append(what).append('\n');
        for (StackTraceElement e : stack) {
            b.append("\tat ").append(e).append('\n');
        }
        System.err.print(b);
    }
}
