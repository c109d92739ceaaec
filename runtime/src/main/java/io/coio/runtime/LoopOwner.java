package io.coio.runtime;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which OS thread drives one carrier's loop, and the hand-off that moves it to a spare thread while the coroutine
 * being run blocks its OS thread. The loop changes thread only inside a task run, through one compare-and-set on
 * the run token:
 * <pre>
 *   0           -> token       // beginRun: the loop thread starts a task run (a token never used before here)
 *   token       -> 0           // endRun: the run returned, the loop stays on this thread
 *   token       -> HANDED_OFF  // handOff (the running coroutine itself, or the watchdog): a spare owns the loop
 *   HANDED_OFF  -> token'      // the new loop thread starts its first task run
 *   token       -> LENT(token) // lendRunQueue: a thief carrier consumes this carrier's run queue (work stealing)
 *   LENT(token) -> token       // returnRunQueue: the thief is done (a few hundred nanoseconds later)
 * </pre>
 * The old thread's own {@code endRun} then fails, and it leaves the loop: exactly one thread drives it.
 *
 * <p>The run queue is single-consumer: the loop thread polls it only between task runs. LENT hands that consumer
 * right to a thief for a moment, and only inside a run (the loop thread is then busy with its coroutine); while
 * the queue is lent, {@code endRun} and {@code handOff} wait for it to come back (they spin: the thief holds it
 * for a bounded loop of polls), so no transition above is lost and the two consumers never overlap.
 *
 * <p>Threads: {@link #handOff} and the queries from any thread; {@link #beginRun}/{@link #endRun} by the loop
 * thread only; {@link #lendRunQueue}/{@link #returnRunQueue} by a thief carrier's loop thread ({@link WorkStealing}).
 */
final class LoopOwner {
    static final long HANDED_OFF = -1;

    /** The LENT(token) value: negative and below {@link #HANDED_OFF}, so every state stays distinct. */
    static long lent(long token) {
        return -token - 2;
    }

    /** The token of a value that may be LENT(token); others unchanged. */
    private static long unlent(long value) {
        return value < HANDED_OFF ? -value - 2 : value;
    }

    private final Runnable loop;
    /** Netty's owner reference ({@code ManualIoEventLoop.owningThread}); moved with the loop. */
    private final AtomicReference<Thread> nettyOwner;
    private final SparePool spares;
    /** The OS thread driving the loop; changes only on a hand-off (after the CAS that won it). */
    private volatile Thread thread;
    /** The spare whose thread that is (for its OS thread id). */
    private volatile SparePool.Spare spare;
    /** The current run's token, 0 between runs, {@link #HANDED_OFF}: the transitions above. */
    private final AtomicLong run = new AtomicLong();
    /** Loop thread: the last token used (the next loop thread continues from it, after the hand-off). */
    private long lastToken;
    /** Loop thread writes, the watchdog reads racily (a plain field: it is only for the report's stack). */
    private Runnable running;
    /** Hand-offs by {@link HandOffCause#ordinal()}; written by whichever thread won the hand-off. */
    private final AtomicLongArray handOffs = new AtomicLongArray(HandOffCause.values().length);
    /** Hand-offs that found no idle spare and started one more thread. */
    private final AtomicLong extraThreads = new AtomicLong();
    /** Tokens of runs that were handed off and whose old thread still finishes them (the watchdog's long-run report). */
    private final java.util.Set<Long> finishing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** {@link #start} runs {@code loop} on a fresh clean thread, made Netty's owner by {@code setOwner} first. */
    LoopOwner(Runnable loop, AtomicReference<Thread> nettyOwner, SparePool spares,
              java.util.function.Consumer<Thread> setOwner) {
        this.loop = loop;
        this.nettyOwner = nettyOwner;
        this.spares = spares;
        this.first = spares.newLoopThread();
        spare = first;
        thread = first.thread;
        setOwner.accept(first.thread);
    }

    /** The loop of a carrier that {@code caller} drives itself (explicit coroutines' own loop): never handed off. */
    private LoopOwner(Thread caller, AtomicReference<Thread> nettyOwner) {
        this.loop = null;
        this.nettyOwner = nettyOwner;
        this.spares = null;
        this.first = null;
        thread = caller;
    }

    static LoopOwner forCaller(Thread caller, AtomicReference<Thread> nettyOwner) {
        return new LoopOwner(caller, nettyOwner);
    }

    private final SparePool.Spare first;

    /** Starts the first loop thread (once the carrier is fully built). */
    void start() {
        if (first != null) {
            first.run(loop);
        }
    }

    Thread thread() {
        return thread;
    }

    /** The OS id of the loop thread, or {@link OsThread#UNKNOWN_TID}. */
    int osTid() {
        SparePool.Spare s = spare;
        return s == null ? OsThread.UNKNOWN_TID : s.osTid;
    }

    /** True if the caller (a coroutine or the loop itself) runs on the OS thread that drives the loop now. */
    boolean onLoopThread() {
        return JdkInternals.currentCarrierThread() == thread;
    }

    /** Loop thread: a task run starts; returns its token. */
    long beginRun(Runnable task) {
        long token = ++lastToken;
        running = task;
        run.lazySet(token); // release is enough: a hand-off reads it, then compare-and-sets it
        return token;
    }

    /** Loop thread: the run ended; false if a hand-off took the loop during it (this thread must leave the loop). */
    boolean endRun(long token) {
        while (!run.compareAndSet(token, 0)) {
            long now = run.get();
            if (now == lent(token)) {
                Thread.onSpinWait(); // a thief holds the run queue for a moment
            } else if (now != token) { // (token: the thief gave it back between the two reads; try again)
                finishing.remove(token);
                return false; // handed off
            }
        }
        running = null;
        return true;
    }

    /** The token of the run in progress (0: none, {@link #HANDED_OFF}: its thread lost the loop). */
    long currentRun() {
        return unlent(run.get());
    }

    /**
     * A thief carrier's loop thread: takes the run queue's consumer right if the loop thread is inside a task run;
     * returns that run's token (give it back with {@link #returnRunQueue}), or 0 if the loop was not inside a run.
     */
    long lendRunQueue() {
        for (int i = 0; i < 16; i++) {
            long token = run.get();
            if (token <= 0) {
                return 0; // between runs (the loop thread may be polling its queue), handed off or already lent
            }
            if (run.compareAndSet(token, lent(token))) {
                return token;
            }
        }
        return 0;
    }

    /** The thief: gives the run queue back (see {@link #lendRunQueue}). */
    void returnRunQueue(long token) {
        if (!run.compareAndSet(lent(token), token)) {
            throw new IllegalStateException("coio: run queue returned in state " + run.get() + ", lent as " + token);
        }
    }

    /** True while the thread that lost the loop during run {@code token} still finishes that run. */
    boolean finishing(long token) {
        return finishing.contains(token);
    }

    /** The task of the run in progress, if any (racy read, for reports). */
    Runnable running() {
        return running;
    }

    /**
     * Called on a coroutine that is about to block its OS thread: if this thread still drives the loop, the loop
     * moves to a spare thread; this one leaves the loop when the coroutine yields.
     */
    boolean handOffFromCoroutine(int carrier, HandOffCause cause) {
        long token = currentRun(); // read before thread: a token of a newer loop thread implies the thread moved
        if (token <= 0 || JdkInternals.currentCarrierThread() != thread) {
            return false; // this thread already handed the loop on (or is not running a task)
        }
        if (!handOff(token, cause)) {
            return false;
        }
        CoioEvents.handOffHere(carrier, cause.name());
        return true;
    }

    /**
     * Any thread: moves the loop to a spare OS thread if the loop thread is still inside run {@code token}.
     * Returns false if that run already ended or another hand-off won.
     *
     * <p>Between the compare-and-set and the spare's wake-up the loop has no thread, so nothing there may block,
     * load a class or — on a coroutine handing off its own run — yield: a coroutine that yielded there would wait
     * to be resumed by the very loop it is handing on, and the carrier would stop for good (HandOffTest's stress
     * test found it: the "no spare was idle" report's print stream lock, contended, unmounted the coroutine). So
     * the spare is acquired, and a new one started, before the compare-and-set, given back if it fails, and
     * reported after the hand-off.
     */
    boolean handOff(long token, HandOffCause cause) {
        if (spares == null || currentRun() != token) { // a caller-driven loop stays with its caller
            return false;
        }
        SparePool.Spare next = spares.acquire();
        finishing.add(token); // before the hand-off is visible: the old thread's endRun removes it
        while (!run.compareAndSet(token, HANDED_OFF)) {
            long now = run.get();
            if (now == lent(token)) {
                Thread.onSpinWait(); // a thief holds the run queue for a moment
            } else if (now != token) { // (token: the thief gave it back between the two reads; try again)
                finishing.remove(token);
                spares.giveBack(next);
                return false; // that run ended, or another hand-off won
            }
        }
        boolean extra = next.isExtra(); // read before the spare is running (it may be acquired again later)
        if (extra) {
            extraThreads.incrementAndGet();
        }
        handOffs.incrementAndGet(cause.ordinal()); // counted before the new loop thread can run anything
        spare = next;
        thread = next.thread;
        nettyOwner.set(next.thread);
        next.run(loop); // the loop has its thread again: what follows may block or yield
        if (extra) {
            spares.reportExtra();
        }
        return true;
    }

    long handOffs(HandOffCause cause) {
        return handOffs.get(cause.ordinal());
    }

    long extraThreads() {
        return extraThreads.get();
    }
}
