package io.coio.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Work stealing between carriers: when a carrier falls behind — ready coroutines wait in its run queue across a
 * whole watchdog period in which it never ran out of work (it is stuck in one long run, or simply has more ready
 * coroutines than it can run) — or, at once, when a coroutine of a carrier inside a run is made ready from outside
 * that carrier ({@link #queuedWhileBusy}), and another carrier is idle in epoll, the idle one takes ready coroutines
 * from it and they become its own. Same-carrier resumption stays the rule: nothing moves while every carrier keeps up or
 * every carrier is busy.
 *
 * <p>What moves, and what a move means (the invariant):
 * <ul>
 *   <li>A coroutine has one carrier at a time: the one its scheduler names. It is resumed there (its
 *       {@code runContinuation} task goes to that carrier's run queue), its readiness waits are armed and its
 *       timers set there, and every run of it executes on that carrier's loop thread (or on a thread that loop was
 *       handed off from, for the rest of that run).</li>
 *   <li>A steal changes a coroutine's carrier only while the coroutine is ready and sits in the victim's run queue
 *       (not running, not waiting): the thief takes the task out of the victim's queue, sets the coroutine's
 *       carrier to itself ({@link AppThreadScheduler#moveTo}) and queues the task on its own run queue. Waits and
 *       timers the coroutine set before are owned by the old carrier and end there (their wake-up goes through the
 *       coroutine's scheduler, so to the new carrier); the ones it sets after are the new carrier's.</li>
 *   <li>Its sockets do not move: an fd stays registered with the carrier it was first waited on. When that carrier's
 *       epoll wakes the coroutine, the resumption goes back to that carrier unless it has more ready work queued
 *       than the coroutine's ({@link AppThreadScheduler#wokenBy}), at
 *       the same safe point as a steal (ready, in no run queue): a steal relieves a carrier that fell behind once,
 *       and the moved connection's later round trips do not all cross between carriers.</li>
 *   <li>Only a converted thread's coroutine moves (its scheduler is an {@link AppThreadScheduler} made for it).
 *       Others — coroutines started with {@code CoioRuntime.newCoroutine}, explicit coroutines' hosts, virtual
 *       threads an app creates (they share their creator's scheduler) — are put back into the victim's queue.</li>
 *   <li>A thread dump keeps listing a moved coroutine under the carrier it started on (its thread container).</li>
 * </ul>
 *
 * <p>The run queue is single-consumer; the victim lends its consumer right to the thief through its run token
 * ({@link LoopOwner}: {@code token -> LENT(token) -> token}), which it can only do while its loop thread is inside
 * a task run, so the two never poll at once. While it holds the queue the thief only polls, checks a type and
 * offers: nothing that can block or load a class (the victim's run end and hand-offs wait for it).
 *
 * <p>Threads: {@link #tick} on the watchdog thread only (its arrays are that thread's); {@link #queuedWhileBusy} on
 * any thread; {@link #steal} on the thief's loop thread, inside one of its task runs.
 */
final class WorkStealing {
    /** At most this many tasks move per steal (bounds the time the victim's queue is lent). */
    static final int MAX_BATCH = 256;

    private final Carrier[] carriers;
    /** Watchdog thread: per carrier, the queue length, epoll-wait count and run token seen at the last tick. */
    private final long[] lastQueued;
    private final long[] lastEpollWaits;
    private final long[] lastRun;
    /** Per carrier: 1 while a steal task is queued on it (cleared by that task): one request at a time. */
    private final AtomicIntegerArray requested;

    WorkStealing(Carrier[] carriers) {
        this.carriers = carriers;
        this.lastQueued = new long[carriers.length];
        this.lastEpollWaits = new long[carriers.length];
        this.lastRun = new long[carriers.length];
        this.requested = new AtomicIntegerArray(carriers.length);
        for (int i = 0; i < carriers.length; i++) {
            if (carriers[i].id != i) { // queuedWhileBusy finds a carrier's place by its id
                throw new IllegalArgumentException("carrier " + carriers[i].id + " at index " + i);
            }
        }
    }

    /** Watchdog thread, once per period: asks an idle carrier to steal from each carrier that fell behind. */
    void tick() {
        for (int i = 0; i < carriers.length; i++) {
            Carrier victim = carriers[i];
            long queued = victim.queued();
            long waits = victim.epollWaitCount();
            long run = victim.currentRun();
            // Behind: ready coroutines waited at the last look and still do, and the loop never blocked in epoll
            // in between (it never ran out of work).
            boolean behind = queued > 0 && lastQueued[i] > 0 && waits == lastEpollWaits[i];
            boolean stuck = behind && run > 0 && run == lastRun[i]; // and still inside the same run
            lastQueued[i] = queued;
            lastEpollWaits[i] = waits;
            lastRun[i] = run;
            if (behind) {
                requestSteal(i, stuck);
            }
        }
    }

    /**
     * Any thread, right after a resumption was queued on {@code busy} while its loop is inside a run: wakes a carrier
     * that is idle in epoll (nothing queued) to take ready coroutines from {@code busy} (half its queue, as a
     * steal from a carrier that fell behind), as Go's scheduler wakes an idle P when a goroutine becomes ready.
     * Without it the coroutine waits for the rest of that run, and for whatever was queued before it, while a core
     * idles: a run can last milliseconds (a 1 MiB body copied without a wait), and the watchdog sees a carrier fall
     * behind only after two of its periods. If {@code busy}'s run ends first and it gets to the coroutine itself,
     * the woken carrier finds the queue empty: one wasted wake-up, nothing moves. At most one request per idle
     * carrier is in flight. The caller leaves out wakes made by a coroutine of {@code busy} itself
     * ({@code AppThreadScheduler.execute}: such a waker parks right after, as a rule).
     */
    void queuedWhileBusy(Carrier busy) {
        Carrier thief = requestSteal(busy.id, false);
        if (thief != null) {
            thief.wokenToSteal.incrementAndGet();
        }
    }

    /**
     * Asks a carrier idle in epoll to steal from the victim; returns it, or null. Idle means nothing queued: the
     * {@code execute} that queues a task to a parked carrier clears its {@code parked} flag.
     */
    private Carrier requestSteal(int victimIndex, boolean stuck) {
        Carrier victim = carriers[victimIndex];
        for (int k = 1; k < carriers.length; k++) {
            int t = (victimIndex + k) % carriers.length;
            Carrier thief = carriers[t];
            if (thief.idle() && requested.compareAndSet(t, 0, 1)) {
                thief.execute(() -> {
                    requested.set(t, 0);
                    steal(victim, thief, stuck);
                });
                return thief;
            }
        }
        return null;
    }

    /**
     * The thief's loop thread: moves ready coroutines from {@code victim}'s run queue to its own — all of them
     * (up to {@link #MAX_BATCH}) if the victim is stuck in one run, else half. Returns how many moved.
     */
    static int steal(Carrier victim, Carrier thief, boolean stuck) {
        long token = victim.lendRunQueue();
        if (token == 0) {
            return 0; // the victim is between runs (it polls its own queue now): try again at the next tick
        }
        int moved = 0;
        List<Runnable> putBack = null;
        try {
            int n = Math.min(MAX_BATCH, stuck ? victim.queued() : Math.max(1, victim.queued() / 2));
            for (int k = 0; k < n; k++) {
                Runnable task = victim.pollLent();
                if (task == null) {
                    break;
                }
                // A converted thread's resumption is queued as its scheduler (AppThreadScheduler.execute):
                // no lookup, no reflection, nothing that could block while the victim waits for its queue.
                if (!(task instanceof AppThreadScheduler r)) {
                    (putBack == null ? putBack = new ArrayList<>() : putBack).add(task);
                    continue;
                }
                r.moveTo(thief); // before it can run: from now on it is the thief's
                thief.execute(task);
                moved++;
            }
        } finally {
            victim.returnRunQueue(token);
        }
        if (putBack != null) {
            putBack.forEach(victim::execute);
        }
        thief.stolen.addAndGet(moved);
        return moved;
    }
}
