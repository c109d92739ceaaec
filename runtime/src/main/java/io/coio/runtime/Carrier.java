package io.coio.runtime;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.ManualIoEventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.internal.PlatformDependent;

import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
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
 * a coroutine that parks is always resumed on the carrier it started on.
 *
 * <p>The loop, in one place:
 * <pre>
 *   loop:
 *     run the coroutines that are ready (each runs until it parks or ends)
 *     apply the epoll interest / timer changes those coroutines asked for (see {@link #pending})
 *     if nothing is ready: mark parked, then block in epoll until an fd, a timer or a wake-up
 *     else: poll epoll without blocking
 *     (epoll callbacks and timers complete {@link Waiter}s, which unpark coroutines into the run queue)
 * </pre>
 *
 * <p>Threads: {@link #execute} may be called from any thread. Everything else marked "loop thread" is
 * touched only by the thread currently driving the loop. Coroutines of this carrier run on that same
 * thread, so they may append to {@link #pending} directly — but they must not call Netty, whose
 * {@code inEventLoop()} is false inside a virtual thread (JDK25-FINDINGS.md).
 *
 * <p>Pinned coroutines: when a coroutine must block its OS thread (it cannot unmount, e.g. inside a class
 * initializer), {@link #beforePinnedPark()} hands the loop to a fresh OS thread first, so the other
 * coroutines and the epoll wake-up that the pinned one waits for keep running. The old thread finishes
 * the pinned coroutine's current run and then retires.
 */
final class Carrier implements Executor {
    private static final int TASK_BUDGET = 1024;
    private static final Runnable WAKE_UP = () -> { };

    final int id;
    private final Queue<Runnable> runQueue = PlatformDependent.newMpscQueue();
    private final ManualIoEventLoop eventLoop;
    /** Netty's owner reference; {@code setOwningThread} is set-once, a hand-off must move it. */
    private final AtomicReference<Thread> nettyOwner;
    private final boolean epoll;

    /** The OS thread driving the loop; changes only on a pinned hand-off (written by the old loop thread). */
    private volatile Thread loopThread;
    /** True while the loop thread is about to block, or blocked, in epoll: then {@link #execute} must wake it. */
    private volatile boolean parked;

    /** Loop thread: waiters whose epoll interest or timer must be set up or torn down before the next wait. */
    private final ArrayList<Waiter> pending = new ArrayList<>();
    /** Loop thread: registrations by fd. */
    private final IntObjectHashMap<FdRegistration> fds = new IntObjectHashMap<>();

    /** The JDK thread container this carrier's coroutines start in (thread dumps group them by carrier). */
    final CarrierThreadContainer threadContainer;

    final AtomicInteger live = new AtomicInteger();
    final AtomicLong started = new AtomicLong();
    // Loop-thread counters, read racily by stats().
    private long parks;
    private long wakeups;
    private long epollWaits;
    private volatile long pinnedFallbacks;

    Carrier(int id, IoHandlerFactory ioHandlerFactory, boolean epoll) {
        this.id = id;
        this.epoll = epoll;
        this.eventLoop = new ManualIoEventLoop(null, null, ioHandlerFactory);
        this.nettyOwner = owningThreadRef(eventLoop);
        this.threadContainer = new CarrierThreadContainer("coio-carrier-" + id);
        Thread t = newLoopThread();
        loopThread = t;
        eventLoop.setOwningThread(t);
        t.start();
    }

    boolean usesEpoll() {
        return epoll;
    }

    private Thread newLoopThread() {
        Thread t = new Thread(this::runLoop, "coio-carrier-" + id);
        t.setDaemon(true);
        return t;
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
        return JdkInternals.currentCarrierThread() == loopThread;
    }

    // ---- readiness waits ----

    /**
     * Called by a coroutine of this carrier to start waiting: the loop arms epoll (and the timer) once the
     * coroutine has parked. From a thread that no longer drives the loop (after a pinned hand-off) the
     * request travels through the run queue instead.
     */
    void arm(Waiter w) {
        applyOnLoop(w);
    }

    /** Called by the coroutine when its wait is over, whatever ended it; tears down on the loop thread. */
    void disarm(Waiter w) {
        w.cancel();
        int s = w.state();
        if (s == Waiter.READY || s == Waiter.TIMED_OUT || s == Waiter.FAILED) {
            return; // the loop completed it and tore it down in the same step (see wake)
        }
        // CANCELLED or STOPPED: the loop still holds its epoll attachment and timer.
        applyOnLoop(w);
    }

    /** Has the loop {@link #apply} {@code w} before it next waits: directly from its own thread, else queued. */
    private void applyOnLoop(Waiter w) {
        if (onLoopThread()) {
            pending.add(w);
        } else {
            execute(() -> apply(w));
        }
    }

    private void applyPending() {
        // apply() only completes waiters (unpark queues their coroutines); it never adds to pending.
        for (int i = 0; i < pending.size(); i++) {
            apply(pending.get(i));
        }
        pending.clear();
    }

    /** Loop thread: bring epoll and the timer in line with the waiter's state. */
    private void apply(Waiter w) {
        if (!w.isWaiting()) {
            tearDown(w);
            return;
        }
        if (w.registration != null) {
            return; // already armed
        }
        parks++;
        FdRegistration reg = fds.get(w.fd);
        if (reg == null && (reg = register(w.fd)) == null) {
            w.complete(Waiter.FAILED);
            return;
        }
        Waiter previous = w.write ? reg.writer : reg.reader;
        if (previous != null) {
            wake(previous, Waiter.READY); // cannot happen with the JDK's locks; a spurious wake-up is safe
        }
        reg.attach(w);
        rearm(reg);
        if (w.deadline != 0 && w.isWaiting()) {
            long delay = Math.max(0, w.deadline - System.nanoTime());
            w.timer = eventLoop.schedule(() -> wake(w, Waiter.TIMED_OUT), delay, TimeUnit.NANOSECONDS);
        }
    }

    private FdRegistration register(int fd) {
        FdRegistration reg = new FdRegistration(fd, this);
        io.netty.util.concurrent.Future<IoRegistration> f = eventLoop.register(reg);
        if (!f.isSuccess()) {
            return null; // e.g. EPERM: not a pollable fd; the wait goes back to the JDK's poller
        }
        reg.registration = f.getNow();
        fds.put(fd, reg);
        return reg;
    }

    /** Loop thread: re-arm a registration; if the kernel forgot the fd (closed, number reused), register anew. */
    void rearm(FdRegistration reg) {
        try {
            reg.rearm();
        } catch (UncheckedIOException stale) {
            fds.remove(reg.fdVal());
            reg.registration.cancel();
            Waiter r = reg.reader;
            Waiter w = reg.writer;
            if (r != null) {
                reg.detach(r);
            }
            if (w != null) {
                reg.detach(w);
            }
            FdRegistration fresh = register(reg.fdVal());
            if (fresh == null) {
                fail(r);
                fail(w);
                return;
            }
            if (r != null) {
                fresh.attach(r);
            }
            if (w != null) {
                fresh.attach(w);
            }
            try {
                fresh.rearm();
            } catch (UncheckedIOException e) {
                fail(fresh.reader);
                fail(fresh.writer);
            }
        }
    }

    /** Loop thread: epoll refused the fd; {@code w} (if any) falls back to the JDK's poller. */
    private void fail(Waiter w) {
        if (w != null) {
            wake(w, Waiter.FAILED);
        }
    }

    /** Loop thread: end a wait with {@code state} (READY, TIMED_OUT, FAILED) and tear it down. */
    void wake(Waiter w, int state) {
        if (w.complete(state) && state == Waiter.READY) {
            wakeups++;
        }
        tearDown(w);
    }

    private void tearDown(Waiter w) {
        FdRegistration reg = w.registration;
        if (reg != null) {
            reg.detach(w); // ONESHOT: a stale arming fires at most once and finds no waiter
        }
        if (w.timer != null) {
            w.timer.cancel(false);
            w.timer = null;
        }
    }

    /**
     * A timer on this carrier's loop, if the caller is the loop thread (the JDK schedules a coroutine's
     * wake-up right after it unmounted, on its carrier); null otherwise, to leave it to the JDK's timer.
     */
    Future<?> schedule(Runnable task, long delay, TimeUnit unit) {
        if (Thread.currentThread() != loopThread) {
            return null;
        }
        return eventLoop.schedule(task, delay, unit);
    }

    // ---- pinned coroutines ----

    /**
     * Called on a coroutine of this carrier that is about to block its OS thread because it cannot unmount.
     * Moves the loop to a fresh OS thread; the current one retires when the pinned coroutine yields.
     */
    void beforePinnedPark() {
        if (!onLoopThread()) {
            return; // this thread already handed the loop on
        }
        pinnedFallbacks++;
        Thread next = newLoopThread();
        loopThread = next;
        nettyOwner.set(next);
        next.start();
    }

    // ---- the loop ----

    private void runLoop() {
        Thread me = Thread.currentThread();
        for (;;) {
            if (!runReadyTasks(me)) {
                return; // a pinned coroutine handed the loop to another thread
            }
            applyPending();
            boolean block = runQueue.isEmpty();
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
                eventLoop.run(block ? 0 : -1);
            } catch (Throwable t) {
                uncaught(t);
            }
            parked = false;
        }
    }

    /** Runs up to {@link #TASK_BUDGET} ready tasks; false if the loop was handed to another thread. */
    private boolean runReadyTasks(Thread me) {
        for (int i = 0; i < TASK_BUDGET; i++) {
            Runnable task = runQueue.poll();
            if (task == null) {
                return true;
            }
            try {
                task.run();
            } catch (Throwable t) {
                uncaught(t);
            }
            if (loopThread != me) {
                return false;
            }
        }
        return true;
    }

    private static void uncaught(Throwable t) {
        Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
        if (h != null) {
            h.uncaughtException(Thread.currentThread(), t);
        } else {
            System.err.println("coio: unexpected error on carrier " + Thread.currentThread().getName());
            t.printStackTrace();
        }
    }

    CarrierStats stats() {
        return new CarrierStats(id, started.get(), live.get(), parks, wakeups, epollWaits, pinnedFallbacks,
                runQueue.size());
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
