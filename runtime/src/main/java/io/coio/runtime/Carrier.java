package io.coio.runtime;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.util.internal.PlatformDependent;

import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One carrier: an OS thread that owns a Netty {@link ManualIoEventLoop} (epoll), a run queue of ready
 * coroutines and the loop's timer queue — libco's {@code stCoRoutineEnv_t} plus {@code co_eventloop}.
 * It is also the {@link Executor} that the JDK's virtual threads placed here use as their scheduler, so
 * a coroutine that parks is resumed on its carrier: the one it started on, unless {@link WorkStealing} moved it.
 *
 * <p>The loop, in one place:
 * <pre>
 *   loop:
 *     run the coroutines that are ready (each runs until it parks or ends)
 *     register the fds those coroutines first waited on, arm their timers ({@link ReadinessWaits}, {@link #timers})
 *     if nothing is ready: mark parked, then block in epoll until an fd, a timer or a wake-up
 *     else: poll epoll without blocking
 *     (epoll callbacks and timers complete {@link Waiter}s, which unpark coroutines into the run queue)
 * </pre>
 *
 * <p>Threads: {@link #execute}, {@link #schedule} and {@link #handOff} may be called from any thread ({@link #runQueue},
 * {@link #timers} and {@link ReadinessWaits}' registrations are multi-producer queues). Everything else marked "loop
 * thread" is touched only by the thread currently driving the loop. Coroutines must not call
 * Netty, whose {@code inEventLoop()} is false inside a virtual thread (JDK25-FINDINGS.md).
 *
 * <p>Hand-off: when the coroutine being run must block its OS thread (it cannot unmount: pinned park or wait,
 * file I/O, DNS; or the {@link Watchdog} sees the thread blocked), {@link #handOff} moves the loop to a spare
 * OS thread from the {@link SparePool}, so the other coroutines and the wake-up the blocked one waits for keep
 * running. The old thread finishes that coroutine's current run and returns to the pool. Which thread drives the
 * loop, and the compare-and-set protocol that changes it, is {@link LoopOwner}'s job.
 */
final class Carrier implements Executor {
    private static final int TASK_BUDGET = 1024;
    /* Classes, not lambdas, in what a runtime's start runs: each lambda is a class spun at first use (start-up). */
    private static final Runnable WAKE_UP = new Runnable() {
        @Override
        public void run() {
        }
    };

    final int id;
    private final Queue<Runnable> runQueue = PlatformDependent.newMpscQueue();
    private final ManualIoEventLoop eventLoop;
    private final boolean epoll;
    /** True for a carrier driven by an existing thread through {@link #drive}: no hand-off there. */
    private final boolean callerDriven;

    /** Which OS thread drives the loop; the hand-off. */
    private final LoopOwner owner;
    /** A blocking call in progress on the loop thread, handed off by the watchdog only if it lasts. */
    final DeferredHandOff deferred;
    private volatile boolean stopping;
    /** True while the loop thread is about to block, or blocked, in epoll: then {@link #execute} must wake it. */
    private volatile boolean parked;

    /** Any thread adds, loop thread drains: coroutine timers to put on the loop's timer queue. */
    private final Queue<CarrierTimer> timers = PlatformDependent.newMpscQueue();
    /** The fds this carrier's group waits on: shared by a runtime's carriers, one per caller-driven loop. */
    final FdTable fds;
    /** Its coroutines' readiness waits, and the fds whose home it is. */
    final ReadinessWaits waits;

    /** The JDK thread container this carrier's coroutines start in (thread dumps group them by carrier). */
    final CarrierThreadContainer threadContainer;

    final AtomicInteger live = new AtomicInteger();
    final AtomicLong started = new AtomicLong();
    // Loop-thread counter, read racily by stats() (the readiness counters are ReadinessWaits').
    private long epollWaits;
    /** Coroutine runs the watchdog reported as too long (CPU-bound or invisible native code). */
    final AtomicLong longRuns = new AtomicLong();
    /** Coroutines this carrier took from another carrier's run queue ({@link WorkStealing}). */
    final AtomicLong stolen = new AtomicLong();

    /**
     * The runtime's work stealing, told when a resumption is queued on this carrier while it is inside a run
     * ({@link WorkStealing#queuedWhileBusy}); null: balancing off. Written once, before any coroutine starts.
     */
    volatile WorkStealing balancing;
    /** Times this carrier, idle in epoll, was woken to take ready coroutines from a busy one (any thread adds). */
    final AtomicLong wokenToSteal = new AtomicLong();

    /** Tests only: called at the start of each loop step with its name, to inject a fault. */
    volatile java.util.function.Consumer<String> faultForTest;

    Carrier(int id, IoHandlerFactory ioHandlerFactory, boolean epoll, SparePool spares, FdTable fds) {
        this.id = id;
        this.fds = fds;
        this.epoll = epoll;
        this.eventLoop = new ManualIoEventLoop(null, null, ioHandlerFactory);
        this.waits = new ReadinessWaits(this, eventLoop, fds);
        this.threadContainer = new CarrierThreadContainer("coio-carrier-" + id);
        this.callerDriven = false;
        ManualIoEventLoop loop = eventLoop;
        this.owner = new LoopOwner(new Runnable() {
            @Override
            public void run() {
                runLoop();
            }
        }, owningThreadRef(eventLoop), spares, new java.util.function.Consumer<Thread>() {
            @Override
            public void accept(Thread t) {
                loop.setOwningThread(t);
            }
        });
        this.deferred = new DeferredHandOff(owner);
        owner.start();
    }

    /** A carrier driven by an existing thread (see {@link #drive}); no loop thread is started, no hand-off. */
    private Carrier(Thread owner, int id, IoHandlerFactory ioHandlerFactory, boolean epoll) {
        this.id = id;
        this.fds = FdTable.create();
        this.epoll = epoll;
        this.eventLoop = new ManualIoEventLoop(null, null, ioHandlerFactory);
        this.waits = new ReadinessWaits(this, eventLoop, fds);
        this.threadContainer = new CarrierThreadContainer("coio-loop-" + id);
        this.callerDriven = true;
        this.owner = LoopOwner.forCaller(owner, owningThreadRef(eventLoop));
        this.deferred = new DeferredHandOff(this.owner);
        eventLoop.setOwningThread(owner);
    }

    /** A carrier whose loop runs only while {@code owner} calls {@link #drive} (explicit coroutines' LoopEnv). */
    static Carrier drivenBy(Thread owner, int id, IoHandlerFactory ioHandlerFactory, boolean epoll) {
        return new Carrier(owner, id, ioHandlerFactory, epoll);
    }

    boolean usesEpoll() {
        return epoll;
    }

    // ---- scheduler side (any thread) ----

    @Override
    public void execute(Runnable task) {
        runQueue.offer(task);
        if (parked) {
            parked = false;
            // Not eventLoop.wakeup(): Netty may not have armed its own wake-up flag yet and would skip the
            // eventfd write. A task in Netty's queue is re-checked by Netty right before epoll_wait.
            eventLoop.execute(WAKE_UP);
        }
    }

    /** True if the caller (a coroutine or the loop itself) runs on the thread that drives this loop now. */
    boolean onLoopThread() {
        return owner.onLoopThread();
    }

    // ---- readiness waits: ReadinessWaits; the loop registers what they queued ----

    /** Loop thread: registers the fds queued by first waits; arms queued timers. Failures are reported, not fatal. */
    private void applyPending() {
        for (Waiter w; (w = waits.nextRegistration()) != null; ) {
            try {
                probe("applyPending");
                waits.register(w);
            } catch (Throwable t) {
                report("registering an fd with epoll failed on carrier " + id + "; the wait goes back to the JDK's poller", t);
                w.complete(Waiter.FAILED);
            }
        }
        for (CarrierTimer t; (t = timers.poll()) != null; ) {
            try {
                t.arm(eventLoop);
            } catch (Throwable e) {
                report("arming a timer failed on carrier " + id + "; it fires at once", e);
                t.fireNow();
            }
        }
    }

    /** Any thread: wakes the loop if it is blocked in epoll (a registration or timer was queued). */
    void wakeLoop() {
        execute(WAKE_UP);
    }

    /**
     * A timer on this carrier's loop (the JDK schedules a coroutine's wake-up right after it unmounted, on the
     * thread it ran on): queued, not put on Netty's timer queue here, because this thread may lose the loop
     * (hand-off) at any moment — or already has, when the coroutine's run was handed off earlier; then the loop,
     * now on another thread, is woken to take it. Never the JDK's own timer thread.
     */
    Future<?> schedule(Runnable task, long delay, TimeUnit unit) {
        CarrierTimer t = new CarrierTimer(task, System.nanoTime() + unit.toNanos(delay));
        timers.offer(t);
        if (Thread.currentThread() != owner.thread()) {
            execute(WAKE_UP); // the loop may be blocked in epoll
        }
        return t;
    }

    /** A timer on this carrier's loop, from any thread (off the loop Netty queues it to the loop). */
    Future<?> scheduleFromAnyThread(Runnable task, long delay, TimeUnit unit) {
        return eventLoop.schedule(task, delay, unit);
    }

    // ---- hand-off ----

    /**
     * Called on a coroutine of this carrier that is about to block its OS thread: if this thread still drives
     * the loop, the loop moves to a spare thread; this one retires from the loop when the coroutine yields.
     */
    boolean handOffFromCoroutine(HandOffCause cause) {
        return owner.handOffFromCoroutine(id, cause);
    }

    /**
     * Called on a coroutine of this carrier that enters a call that may block its OS thread: with a watchdog looking
     * ({@link DeferredHandOff}), the call is marked and runs on, handed off only if it lasts; without one the loop
     * moves now. Returns the mark for {@link #endBlockingCall} (0: nothing to end).
     */
    long beginBlockingCall(HandOffCause cause) {
        if (deferred.enabled()) {
            return deferred.begin(cause);
        }
        handOffFromCoroutine(cause);
        return 0;
    }

    /** The call begun with {@link #beginBlockingCall} returned ({@code mark} non-zero). */
    void endBlockingCall(long mark) {
        deferred.end(mark);
    }

    /** Any thread (the watchdog): moves the loop to a spare if the loop thread is still inside run {@code token}. */
    boolean handOff(long token, HandOffCause cause) {
        return owner.handOff(token, cause);
    }

    /** The token of the task run in progress (0: none, {@link LoopOwner#HANDED_OFF}: its thread lost the loop). */
    long currentRun() {
        return owner.currentRun();
    }

    Thread loopThread() {
        return owner.thread();
    }

    /** The OS id of the loop thread, or {@link OsThread#UNKNOWN_TID}. */
    int loopThreadOsTid() {
        return owner.osTid();
    }

    /** The task of the run in progress, if any (racy read, for reports). */
    Runnable running() {
        return owner.running();
    }

    // ---- work stealing (WorkStealing): the queue's consumer right is lent through the run token ----

    /** Ready tasks waiting for this carrier (any thread; approximate). */
    int queued() {
        return runQueue.size();
    }

    /** True while the loop thread blocks (or is about to block) in epoll with nothing to run (any thread; racy). */
    boolean idle() {
        return parked;
    }

    /** Times the loop blocked in epoll (racy read): unchanged between two looks means it never ran out of work. */
    long epollWaitCount() {
        return epollWaits;
    }

    /** A thief's loop thread: see {@link LoopOwner#lendRunQueue}. */
    long lendRunQueue() {
        return owner.lendRunQueue();
    }

    /** The thief, between {@link #lendRunQueue} and {@link #returnRunQueue} only: the next ready task, or null. */
    Runnable pollLent() {
        return runQueue.poll();
    }

    void returnRunQueue(long token) {
        owner.returnRunQueue(token);
    }

    /** True while the thread that lost this loop during run {@code token} still finishes that run (any thread). */
    boolean finishing(long token) {
        return owner.finishing(token);
    }

    /** Ends the loop: its thread closes Netty's loop and goes back to the spare pool. */
    void stop() {
        stopping = true;
        execute(WAKE_UP);
    }

    // ---- the loop ----

    /** The body of whichever thread drives the loop; returns when the loop was handed on or stopped. */
    private void runLoop() {
        Thread me = Thread.currentThread();
        me.setName("coio-carrier-" + id);
        while (!stopping) {
            try {
                if (!loopOnce(me)) {
                    return; // a hand-off gave the loop to another thread during the last task run
                }
            } catch (Throwable t) { // each step catches its own; this is the last line: the loop never ends by accident
                if (owner.thread() != me) {
                    return;
                }
                report("the loop of carrier " + id + " failed; it goes on", t);
                parked = false;
            }
        }
        closeLoop();
    }

    /** One turn of the loop (the class comment); false if the loop was handed to another thread. */
    private boolean loopOnce(Thread me) {
        if (!runReadyTasks(me)) {
            return false;
        }
        applyPending();
        pollOrWait(0);
        return true;
    }

    /**
     * Loop thread: one step of Netty's loop (ready fds, timers, its tasks). Waits in epoll — at most
     * {@code maxWaitNanos}, 0: until an fd, a timer or a task — only if no task, registration or timer is queued.
     */
    private void pollOrWait(long maxWaitNanos) {
        boolean block = runQueue.isEmpty() && !waits.hasRegistrations() && timers.isEmpty();
        if (block) {
            parked = true;
            if (!runQueue.isEmpty()) { // re-check after publishing 'parked' (pairs with execute)
                parked = false;
                block = false;
            }
        }
        if (block) {
            epollWaits++;
        }
        try {
            probe("eventLoop");
            eventLoop.run(block ? maxWaitNanos : -1);
        } catch (Throwable t) {
            report("Netty's event loop step failed on carrier " + id + "; the carrier goes on", t);
        }
        parked = false;
    }

    /**
     * Caller-driven carriers only, on the owning thread: runs the loop until {@code stop} is true — checked
     * after every task if {@code checkEachTask} (a resume or wait that must return as soon as it can), else
     * once per iteration (libco's {@code co_eventloop} callback). Each iteration waits in epoll at most
     * {@code maxWaitNanos} (0: until an fd, a timer or a task). Re-entrant from a stop check or callback.
     */
    void drive(java.util.function.BooleanSupplier stop, boolean checkEachTask, long maxWaitNanos) {
        if (!callerDriven || Thread.currentThread() != owner.thread()) {
            throw new IllegalStateException("coio: only the owning thread drives its loop");
        }
        for (;;) {
            for (int i = 0; i < TASK_BUDGET; i++) {
                Runnable task = runQueue.poll();
                if (task == null) {
                    break;
                }
                long token = owner.beginRun(task);
                try {
                    task.run();
                } catch (Throwable t) {
                    report("a task failed on carrier " + id + "; the carrier goes on", t);
                }
                owner.endRun(token); // a caller-driven loop is never handed off
                if (checkEachTask && stop.getAsBoolean()) {
                    applyPending();
                    return;
                }
            }
            applyPending();
            if (stop.getAsBoolean()) {
                return;
            }
            pollOrWait(maxWaitNanos);
        }
    }

    /** Runs up to {@link #TASK_BUDGET} ready tasks; false if the loop was handed to another thread. */
    private boolean runReadyTasks(Thread me) {
        for (int i = 0; i < TASK_BUDGET; i++) {
            Runnable task = runQueue.poll();
            if (task == null) {
                return true;
            }
            long token = owner.beginRun(task);
            try {
                task.run();
            } catch (Throwable t) {
                report("a task failed on carrier " + id + "; the carrier goes on", t);
            }
            if (!owner.endRun(token)) {
                return false; // handed off: the new loop thread took over
            }
        }
        return true;
    }

    /** Loop thread, after {@link #stop}: lets Netty close its epoll instance (bounded). */
    private void closeLoop() {
        try {
            eventLoop.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!eventLoop.isTerminated() && System.nanoTime() - deadline < 0) {
                eventLoop.run(TimeUnit.MILLISECONDS.toNanos(10));
            }
        } catch (Throwable t) {
            report("closing the event loop of carrier " + id + " failed", t);
        }
    }

    private void probe(String step) {
        java.util.function.Consumer<String> f = faultForTest;
        if (f != null) {
            f.accept(step);
        }
    }

    /** Reports an error that must not end the loop: the default uncaught-exception handler, else stderr. */
    static void report(String what, Throwable t) {
        try {
            Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
            if (h != null) {
                h.uncaughtException(Thread.currentThread(), new IllegalStateException("coio: " + what, t));
            } else {
                System.err.println("coio: " + what + " (thread " + Thread.currentThread().getName() + "):");
                t.printStackTrace();
            }
        } catch (Throwable ignored) {
            // the report itself failed (out of memory?): the loop must still go on
        }
    }

    CarrierStats stats() {
        return new CarrierStats(id, started.get(), live.get(), waits.parks, waits.wakeups, epollWaits,
                owner.handOffs(HandOffCause.PINNED_PARK), owner.handOffs(HandOffCause.PINNED_WAIT),
                owner.handOffs(HandOffCause.FILE), owner.handOffs(HandOffCause.DNS),
                owner.handOffs(HandOffCause.BLOCKER), owner.handOffs(HandOffCause.WATCHDOG),
                owner.handOffs(HandOffCause.BUSY),
                owner.extraThreads(), longRuns.get(), runQueue.size(), waits.registered, waits.rearms, waits.skippedSyscalls,
                stolen.get(), waits.heapSocketIo, wokenToSteal.get());
    }

    @SuppressWarnings("unchecked")
    private static AtomicReference<Thread> owningThreadRef(ManualIoEventLoop loop) {
        try {
            Field f = ManualIoEventLoop.class.getDeclaredField("owningThread");
            f.setAccessible(true);
            return (AtomicReference<Thread>) f.get(loop);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unsupported Netty version: ManualIoEventLoop.owningThread not found", e);
        }
    }
}
