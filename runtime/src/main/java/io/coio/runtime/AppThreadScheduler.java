package io.coio.runtime;

import java.util.concurrent.Executor;

/**
 * The scheduler of a coroutine that runs an app's own platform {@code Thread} (a converted thread): it
 * schedules on the coroutine's carrier like the carrier itself, and it remembers which app {@code Thread}
 * object the coroutine stands for. Keeping that link here, on the one object the JDK already stores in
 * every virtual thread ({@code VirtualThread.scheduler}), makes "which app thread is running?" two field
 * loads, with no map and no extra field in the JDK's classes.
 *
 * <p>It is also the coroutine's task, and what the run queue holds for each of its resumptions ({@link #run}, which
 * tells the two apart by the thread that runs it): one object per converted thread instead of a scheduler, a
 * resumption object and two task lambdas, and one frame under the converted thread's code where the two lambdas took
 * two. A parked
 * coroutine keeps its whole stack in a heap stack chunk sized at its first yield, so each frame at the bottom costs
 * memory per idle connection (docs/benchmark.md, "Where the memory of an idle connection goes").
 *
 * <p>A virtual thread that such a coroutine creates inherits this scheduler (the JDK passes the parent's
 * scheduler on); it runs on the same carrier but stands for nothing: {@link #appThreadOf} checks that the
 * asking thread is the coroutine this scheduler was made for.
 *
 * <p>The carrier changes only while the coroutine is ready and in no run queue ({@link #moveTo}): when
 * {@link WorkStealing} takes it from a carrier that fell behind, and when a readiness wake-up delivered by another
 * carrier — the home of the fd it waited for, where that fd stays registered — resumes it ({@link #wokenBy}, applied
 * in {@link #execute} as the resumption is queued): a stolen coroutine goes back to the carrier whose epoll reports
 * its socket, instead of having every later wake-up cross from that carrier to the thief's run queue. From then on it
 * is resumed, waits and sets its timers on the new carrier.
 *
 * <p>Threads: {@link #bind} runs once, before the coroutine starts; {@link #moveTo} on a thief carrier's loop
 * thread, or in {@link #execute} on the thread that queues a resumption; {@link #wokenBy} on the waking carrier's loop
 * thread; {@link #run} on the coroutine (its task) or on a carrier thread (a resumption); everything else any thread.
 */
final class AppThreadScheduler implements Executor, Runnable {
    /** The coroutine's carrier: where it is resumed. Volatile: a steal moves it (see the class comment). */
    volatile Carrier carrier;
    final Thread appThread;
    /** What the coroutine does around {@link #appThread}'s {@code run()}; shared by every converted thread. */
    private final AppThreadBody body;
    /** The coroutine created with this scheduler; written once before it starts (published by Thread.start). */
    private Thread coroutine;
    /**
     * The coroutine's own task ({@code VirtualThread::runContinuation}, one object for its life), recorded at its
     * first submit — its start: the virtual threads it creates later share this scheduler but submit other tasks.
     * Its resumptions are queued as this scheduler itself, so that work stealing knows at once whose task it took and
     * can move it ({@link #moveTo}).
     */
    private volatile Runnable ownTask;
    /**
     * The carrier whose epoll last woke the coroutine, when that is not its carrier ({@link #wokenBy}); taken by the
     * next resumption ({@link #execute}). Written on that carrier's loop thread before the unpark, read and cleared by
     * the thread that queues the resumption.
     */
    private volatile Carrier wokenOn;

    AppThreadScheduler(Carrier carrier, Thread appThread, AppThreadBody body) {
        this.carrier = carrier;
        this.appThread = appThread;
        this.body = body;
    }

    void bind(Thread coroutine) {
        assert this.coroutine == null;
        this.coroutine = coroutine;
    }

    /** A thief's loop thread: the coroutine now belongs to {@code thief} (its live count moves with it). */
    void moveTo(Carrier thief) {
        Carrier from = carrier;
        carrier = thief;
        thief.live.incrementAndGet();
        from.live.decrementAndGet();
    }

    /** The app thread that {@code vthread} runs, or null if it is not this scheduler's coroutine. */
    Thread appThreadOf(Thread vthread) {
        return vthread == coroutine ? appThread : null;
    }

    /** The coroutine this scheduler was made for (null before {@link #bind}). */
    Thread coroutine() {
        return coroutine;
    }

    /**
     * A readiness wait of the coroutine was ended by {@code home}'s epoll (on home's loop thread, before the unpark).
     * If home is not the coroutine's carrier (a steal moved it), its resumption goes back to home, unless home has
     * more ready work queued than the coroutine's carrier then. Not moved here: this could be a coroutine that is
     * still running (a wake between arming the wait and parking).
     */
    void wokenBy(Carrier home) {
        if (home != carrier) {
            wokenOn = home;
        }
    }

    @Override
    public void execute(Runnable task) {
        Runnable own = ownTask;
        if (own == null) {
            ownTask = own = task; // the start of this scheduler's own coroutine (see ownTask)
        }
        if (task != own) {
            carrier.execute(task); // a virtual thread the coroutine made (it shares this scheduler)
            return;
        }
        Carrier home = wokenOn;
        if (home != null) { // the coroutine is ready and in no run queue: it may move (see the class comment)
            wokenOn = null;
            // Not onto a carrier with more ready work than its current one: a carrier that keeps falling behind
            // keeps what was taken from it, instead of taking it back and having it stolen again.
            if (home != carrier && home.queued() <= carrier.queued()) {
                moveTo(home);
            }
        }
        Carrier c = carrier;
        c.execute(this);
        // Queued from outside its carrier (a platform thread, the JDK's unblocker thread, another carrier) while that
        // carrier is inside a run: an idle carrier may take it (WorkStealing.queuedWhileBusy). Not when a coroutine
        // of the same carrier wakes it: that one parks right after, as a rule (a hand-over through a queue or a
        // lock), and waking the idle carrier then mostly costs a wake-up per hand-over (docs/design-notes.md, "a
        // resumption queued from outside a busy carrier").
        if (c.currentRun() > 0 && !c.onLoopThread()) {
            WorkStealing balancing = c.balancing;
            if (balancing != null) {
                balancing.queuedWhileBusy(c);
            }
        }
    }

    /**
     * On the coroutine, as its task: the app thread's {@code run()} inside its {@link AppThreadBody}, then its carrier
     * counts one live coroutine less. On a
     * carrier thread, from the run queue: a resumption of the coroutine (its own task, {@code runContinuation}). The
     * coroutine never runs its own resumption (it is not mounted while one is queued), and a carrier thread is never
     * the coroutine.
     */
    @Override
    public void run() {
        if (Thread.currentThread() != coroutine) {
            ownTask.run();
            return;
        }
        // The app thread's run() is called from here, not from the body: one frame less under the app's code.
        try {
            body.begin(appThread);
            appThread.run();
        } catch (Throwable e) {
            body.uncaught(appThread, e);
        } finally {
            try {
                body.ended(appThread);
            } finally {
                carrier.live.decrementAndGet();
            }
        }
    }
}
