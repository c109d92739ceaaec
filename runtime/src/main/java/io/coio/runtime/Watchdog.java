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
 * hands the loop off from outside ({@link Carrier#handOff}, race-free through the carrier's run token). A run that
 * stays busy on the CPU longer than {@code reportAfter} is reported once with its stack: it delays every other
 * coroutine of its carrier.
 *
 * <p>Threads: all fields except {@link #stopped} belong to the watchdog thread.
 */
final class Watchdog {
    private final Carrier[] carriers;
    private final long handOffAfter;
    private final long reportAfter;
    private final long period;
    /** Per carrier: the run token last seen, since when, the loop thread's CPU time then, and whether reported. */
    private final long[] token;
    private final long[] since;
    private final long[] cpuSince;
    /** Per-thread CPU time, to tell a thread blocked in native code (no CPU) from a busy one; null if unavailable. */
    private final java.lang.management.ThreadMXBean cpu;
    private final boolean[] reported;
    private final Thread thread;
    private volatile boolean stopped;

    /** A zero duration switches that check off; both zero: no thread is started. */
    Watchdog(Carrier[] carriers, Duration handOffAfter, Duration reportAfter, ThreadGroup group) {
        this.carriers = carriers;
        this.handOffAfter = handOffAfter.toNanos();
        this.reportAfter = reportAfter.toNanos();
        long shortest = Math.min(this.handOffAfter == 0 ? Long.MAX_VALUE : this.handOffAfter,
                this.reportAfter == 0 ? Long.MAX_VALUE : this.reportAfter);
        this.period = Math.max(TimeUnit.MILLISECONDS.toNanos(2), shortest / 4);
        this.token = new long[carriers.length];
        this.since = new long[carriers.length];
        this.cpuSince = new long[carriers.length];
        this.cpu = threadCpu();
        this.reported = new boolean[carriers.length];
        if (shortest == Long.MAX_VALUE) {
            thread = null;
            return;
        }
        thread = Thread.ofPlatform().group(group).daemon(true).inheritInheritableThreadLocals(false)
                .name("coio-watchdog").unstarted(this::run);
        thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        thread.start();
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
        while (!stopped) {
            LockSupport.parkNanos(this, period);
            long now = System.nanoTime();
            for (int i = 0; i < carriers.length; i++) {
                try {
                    check(i, now);
                } catch (Throwable t) {
                    Carrier.report("the carrier watchdog failed checking carrier " + i, t);
                }
            }
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
            cpuSince[i] = cpuTime(c.loopThread());
            reported[i] = false;
            return;
        }
        long ran = now - since[i];
        Thread loop = c.loopThread();
        Thread coroutine = JdkInternals.virtualThreadOf(c.running());
        if (handOffAfter != 0 && ran >= handOffAfter) {
            Thread.State state = loop.getState();
            StackTraceElement[] stack = coroutine != null ? coroutine.getStackTrace() : loop.getStackTrace();
            // RUNNABLE for the JVM, yet asleep for the kernel and (almost) no CPU since the run began: blocked in
            // native code (JNI, or an FFM downcall, which the stack does not show as native). A busy thread in a short
            // native call (nanoTime) uses CPU; a busy one starved of CPU on a loaded machine is running ('R').
            long used = cpuTime(loop);
            char os = state == Thread.State.RUNNABLE ? OsThread.state(c.loopThreadOsTid()) : OsThread.UNKNOWN_STATE;
            boolean inNative = state == Thread.State.RUNNABLE && used >= 0 && cpuSince[i] >= 0
                    && (used - cpuSince[i]) * 10 < ran && os != 'R';
            if (state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || inNative) {
                if (c.handOff(run, HandOffCause.WATCHDOG)) {
                    CoioEvents.handOff(c.id, "watchdog", describe(coroutine), stack);
                    report("carrier " + c.id + " handed its event loop to another OS thread: " + describe(coroutine)
                            + " has been " + (inNative ? "in native code (RUNNABLE, no CPU)" : state) + " for "
                            + TimeUnit.NANOSECONDS.toMillis(ran) + " ms inside one run", stack);
                }
                return;
            }
        }
        if (reportAfter != 0 && ran >= reportAfter && !reported[i]) {
            reported[i] = true;
            c.longRuns.incrementAndGet();
            StackTraceElement[] stack = coroutine != null ? coroutine.getStackTrace() : loop.getStackTrace();
            CoioEvents.longRun(c.id, describe(coroutine), TimeUnit.NANOSECONDS.toMillis(ran), stack);
            report(describe(coroutine) + " has run " + TimeUnit.NANOSECONDS.toMillis(ran) + " ms on carrier " + c.id
                    + " without yielding (CPU-bound, or a native call coio cannot see); the carrier's other"
                    + " coroutines wait meanwhile", stack);
        }
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
