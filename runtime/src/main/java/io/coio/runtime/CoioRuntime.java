package io.coio.runtime;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * coio's scheduler: a fixed set of carriers, each an OS thread with its own epoll loop, on which
 * coroutines (virtual threads with coio's scheduler) run. The agent starts one runtime per JVM; it can
 * also be used directly:
 *
 * <pre>{@code
 * CoioRuntime rt = CoioRuntime.start(2);
 * Thread t = rt.newCoroutine("conn-1", () -> handle(socket));
 * t.start();
 * }</pre>
 *
 * <p>Readiness comes from Netty's native epoll. Where native epoll is unavailable the carriers run
 * Netty's NIO loop and readiness waits are left to the JDK's own poller (which still resumes coroutines
 * on their carrier); {@link #transport()} says which, and the agent prints it at start-up.
 */
public final class CoioRuntime {
    private static volatile CoioRuntime current;

    /** Defaults of {@link #start(int)}: see {@link #start(int, int, Duration, Duration)}. */
    public static final int DEFAULT_SPARES = 2;
    public static final Duration DEFAULT_HAND_OFF_AFTER = Duration.ofMillis(100);
    public static final Duration DEFAULT_LONG_RUN_AFTER = Duration.ofMillis(1000);
    /** A coroutine busy on the CPU this long in one run is moved off its carrier (the busy time slice). */
    public static final Duration DEFAULT_BUSY_SLICE = Duration.ofMillis(20);
    public static final boolean DEFAULT_STEALING = true;

    private final Carrier[] carriers;
    private final boolean epoll;
    private final SparePool spares;
    private final Watchdog watchdog;

    private CoioRuntime(int count, int spareCount, Duration handOffAfter, Duration longRunAfter, Duration busySlice,
                        boolean stealing) {
        // The JDK's Poller starts its own poller threads in its static initializer; they must be created from
        // a platform thread, or they would inherit a coio scheduler (JDK25-FINDINGS.md).
        initJdkPoller();
        loadHandOffPath();
        CoioEvents.registerWhenJfrStarts();
        epoll = Epoll.isAvailable();
        if (epoll) {
            HeapSocketIo.checkJdk(); // the epoll carriers read and write tracked sockets on the app's arrays
        }
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // coio's own threads are made clean whatever thread starts the runtime: in the group of the thread that
        // starts it (a platform one: the agent's premain), never a coroutine's.
        Thread me = Thread.currentThread();
        ThreadGroup group = me.isVirtual() ? null : me.getThreadGroup();
        if (group == null) {
            throw new IllegalStateException("start coio from a platform thread");
        }
        spares = new SparePool(spareCount, group);
        carriers = new Carrier[count];
        FdTable fds = FdTable.create(); // one per carrier group: an fd has one home carrier among them
        for (int i = 0; i < count; i++) {
            carriers[i] = new Carrier(i, factory, epoll, spares, fds);
        }
        WorkStealing balancing = stealing && count > 1 ? new WorkStealing(carriers) : null;
        for (Carrier c : carriers) {
            c.balancing = balancing;
        }
        watchdog = new Watchdog(carriers, handOffAfter, busySlice, longRunAfter, balancing, group);
    }

    /**
     * Starts the JVM's coio runtime with {@code carriers} carriers, or returns the one already started.
     *
     * @throws IllegalArgumentException if {@code carriers < 1}
     * @throws IllegalStateException    if a runtime with a different carrier count is already running, or the
     *                                  JDK internals coio needs are not open to it
     */
    public static CoioRuntime start(int carriers) {
        return start(carriers, DEFAULT_SPARES, DEFAULT_HAND_OFF_AFTER, DEFAULT_LONG_RUN_AFTER);
    }

    /**
     * Starts the JVM's coio runtime, or returns the one already started.
     *
     * @param carriers     carrier threads (&ge; 1)
     * @param spares       spare loop threads made now and kept idle for hand-offs (&ge; 0); when none is idle a
     *                     hand-off starts one more thread (counted; said on stderr only if
     *                     {@link #reportExtraLoopThreads} asks)
     * @param handOffAfter the watchdog hands a carrier's loop to a spare when one coroutine run has kept the loop
     *                     thread blocked (monitor, wait, native method) this long; zero: never
     * @param longRunAfter the watchdog reports a coroutine run that lasted this long without yielding; zero: never
     *                     (the busy time slice and work stealing as by default: {@link #DEFAULT_BUSY_SLICE},
     *                     {@link #DEFAULT_STEALING})
     * @throws IllegalArgumentException if {@code carriers < 1} or {@code spares < 0}
     * @throws IllegalStateException    if a runtime with a different carrier count is already running, or the
     *                                  JDK internals coio needs are not open to it
     */
    public static CoioRuntime start(int carriers, int spares, Duration handOffAfter, Duration longRunAfter) {
        return start(carriers, spares, handOffAfter, longRunAfter, DEFAULT_BUSY_SLICE, DEFAULT_STEALING);
    }

    /**
     * Starts the JVM's coio runtime, or returns the one already started.
     *
     * @param carriers     carrier threads (&ge; 1)
     * @param spares       spare loop threads made now and kept idle for hand-offs (&ge; 0)
     * @param handOffAfter the watchdog hands a carrier's loop to a spare when one coroutine run has kept the loop
     *                     thread blocked this long; zero: no watchdog hand-off at all (busy runs neither)
     * @param longRunAfter the watchdog reports a coroutine run that lasted this long without yielding; zero: never
     * @param busySlice    the watchdog hands off a run busy on the CPU this long (the coroutine keeps its OS thread,
     *                     the carrier's others run on); zero: after {@code handOffAfter}
     * @param stealing     an idle carrier takes ready coroutines from a carrier that fell behind (with &ge; 2 carriers)
     * @throws IllegalArgumentException if {@code carriers < 1}, {@code spares < 0} or a duration is negative
     * @throws IllegalStateException    as {@link #start(int, int, Duration, Duration)}
     */
    public static synchronized CoioRuntime start(int carriers, int spares, Duration handOffAfter,
                                                 Duration longRunAfter, Duration busySlice, boolean stealing) {
        if (busySlice.isNegative() || handOffAfter.isNegative() || longRunAfter.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (carriers < 1) {
            throw new IllegalArgumentException("carriers must be at least 1, got " + carriers);
        }
        if (spares < 0) {
            throw new IllegalArgumentException("spares must be at least 0, got " + spares);
        }
        CoioRuntime rt = current;
        if (rt != null) {
            if (rt.carriers.length != carriers) {
                throw new IllegalStateException("coio is already running with " + rt.carriers.length + " carriers");
            }
            return rt;
        }
        JdkInternals.currentCarrierThread(); // fail now, with the fix named, if java.lang is not open
        rt = new CoioRuntime(carriers, spares, handOffAfter, longRunAfter, busySlice, stealing);
        current = rt;
        return rt;
    }

    /**
     * Stops this runtime: every carrier's loop ends (its thread closes the epoll instance), the watchdog and the
     * idle spare threads end, and {@link #current()} becomes null. Coroutines still on the carriers are never
     * resumed: call it only when none is left (the agent calls it when its installation failed). Waits up to
     * {@code timeout} for coio's threads to end; returns false if one is still alive then.
     */
    public boolean stop(Duration timeout) throws InterruptedException {
        synchronized (CoioRuntime.class) {
            if (current == this) {
                current = null;
            }
        }
        watchdog.stop();
        CoioEvents.stopListening();
        java.util.List<Thread> threads = new ArrayList<>();
        for (Carrier c : carriers) {
            threads.add(c.loopThread());
            c.stop();
        }
        threads.addAll(spares.stop());
        if (watchdog.thread() != null) {
            threads.add(watchdog.thread());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Initialises Netty's platform layer (which picks how Netty frees the few direct buffers a carrier's loop uses)
     * without starting anything. Call it before native access is granted to coio's module, as the agent does for
     * Netty's JNI library: Netty then uses memory segments, where with native access it would link {@code malloc} and
     * {@code free} through the FFM linker, whose first use costs tens of milliseconds of start-up. Harmless at any
     * time; any thread.
     */
    public static void initNettyPlatform() {
        io.netty.util.internal.PlatformDependent.javaVersion();
    }

    /**
     * Initialises Netty's native epoll transport (loads its JNI library) without starting anything, so that a later
     * {@link #start} finds it ready; true if native epoll is available. Needs native access for coio's module
     * (JDK 22+). Harmless at any time; any thread.
     */
    private static boolean initEpoll() {
        return Epoll.isAvailable();
    }

    /**
     * Does ahead of {@link #start}, on any thread, the Netty class initialisation that start needs: the epoll
     * transport ({@link #initEpoll}) and the classes a carrier's loop is built from. {@link #start} then finds them
     * done. Needs native access for coio's module (JDK 22+).
     */
    public static void prepareNetty() {
        boolean epoll = initEpoll();
        for (Class<?> c : new Class<?>[] {io.netty.util.concurrent.GlobalEventExecutor.class,
                io.netty.channel.ManualIoEventLoop.class, io.netty.util.collection.IntObjectHashMap.class,
                epoll ? EpollIoHandler.class : NioIoHandler.class}) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("coio's own class " + c.getName() + " is missing from its jar", e);
            }
        }
        io.netty.util.internal.PlatformDependent.newMpscQueue(); // loads the queue classes a carrier uses
    }

    /**
     * Does ahead of {@link #start} the rest of its preparation, which needs no Netty: initialises the JDK's poller
     * (its threads are made now, so call it on a platform thread) and the classes of the hand-off path.
     */
    public static void prepareJdkPollerAndHandOffs() {
        initJdkPoller();
        loadHandOffPath();
    }

    /**
     * Lets coio make its coroutines' tracked socket reads and writes itself, on the app's arrays ({@code HeapSocketIo}):
     * the first such attempt from now on links the downcalls, in the background. The agent calls it once its install
     * has succeeded; until then (its self-check) the JDK makes every attempt.
     */
    public void allowHeapSocketIo() {
        HeapSocketIo.allowLink();
    }

    /** The running runtime, or null if none was started. */
    public static CoioRuntime current() {
        return current;
    }

    /** Number of carriers. */
    public int carrierCount() {
        return carriers.length;
    }

    /** "epoll" (readiness from each carrier's epoll) or "nio" (readiness from the JDK's poller). */
    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    /**
     * Creates an unstarted coroutine that runs {@code task}, placed on the carrier with the fewest live
     * coroutines. It is a virtual thread: {@code start}, {@code join}, {@code interrupt}, thread locals and
     * {@code Thread.currentThread()} behave as for any virtual thread. Virtual threads it creates run on
     * the same carrier.
     */
    public Thread newCoroutine(String name, Runnable task) {
        Carrier c = leastLoaded();
        return newCoroutine(c, c, name, task);
    }

    /**
     * Creates an unstarted coroutine that runs the app's platform thread {@code appThread}: its own {@code run()},
     * inside {@code body} ({@link AppThreadBody}); like {@link #newCoroutine(String, Runnable)}, and
     * {@link #appThreadOf} answers {@code appThread} for it. It inherits no inheritable thread-locals and has
     * the system class loader as context class loader: the caller sets up what the app thread should see.
     * One {@code body} can serve every converted thread: the coroutine then costs one coio object (its scheduler,
     * which is also its task) and one frame under the app's {@code run()}.
     */
    public Thread newCoroutineFor(Thread appThread, AppThreadBody body) {
        Carrier c = leastLoaded();
        AppThreadScheduler scheduler = new AppThreadScheduler(c, appThread, body);
        Thread t = unstarted(c, scheduler, appThread.getName(), scheduler);
        scheduler.bind(t);
        return t;
    }

    private static Thread newCoroutine(Carrier c, Executor scheduler, String name, Runnable task) {
        Runnable counted = new Runnable() { // not a lambda: the self-check's coroutine runs at start-up
            @Override
            public void run() {
                try {
                    task.run();
                } finally {
                    // the carrier it ends on: work stealing may have moved it (AppThreadScheduler.moveTo)
                    (scheduler instanceof AppThreadScheduler a ? a.carrier : c).live.decrementAndGet();
                }
            }
        };
        return unstarted(c, scheduler, name, counted);
    }

    /** {@code task} must decrement {@code c.live} when it ends. */
    private static Thread unstarted(Carrier c, Executor scheduler, String name, Runnable task) {
        Thread t = JdkInternals.virtualThreadBuilder(scheduler).name(name).inheritInheritableThreadLocals(
                scheduler == c).unstarted(task);
        c.started.incrementAndGet();
        c.live.incrementAndGet();
        return t;
    }

    /**
     * The app's platform {@code Thread} that coroutine {@code coroutine} runs (made by {@link #newCoroutineFor}),
     * or null for any other thread. Costs a class check and two field loads.
     */
    public static Thread appThreadOf(Thread coroutine) {
        return JdkInternals.appThreadOf(coroutine);
    }

    /**
     * Starts a coroutine made by {@link #newCoroutine} in its carrier's JDK thread container, so that thread dumps
     * ({@code jcmd <pid> Thread.dump_to_file -format=json}) list it under {@code coio-carrier-N}. Same as
     * {@code coroutine.start()} otherwise (and exactly that where coio cannot reach the JDK's thread containers).
     *
     * @throws IllegalArgumentException if {@code coroutine} is not a coio coroutine
     */
    public void start(Thread coroutine) {
        Carrier c = JdkInternals.carrierOf(coroutine);
        if (c == null) {
            throw new IllegalArgumentException(coroutine + " is not a coio coroutine");
        }
        c.threadContainer.start(coroutine);
    }

    /** True if {@code t} is a coroutine scheduled by coio (a virtual thread on one of its carriers). */
    public static boolean isCoroutine(Thread t) {
        return JdkInternals.carrierOf(t) != null;
    }

    /** A snapshot of every carrier's counters. */
    public List<CarrierStats> stats() {
        List<CarrierStats> out = new ArrayList<>(carriers.length);
        for (Carrier c : carriers) {
            out.add(c.stats());
        }
        return out;
    }

    /**
     * Whether a hand-off that finds no idle spare loop thread (and starts one more) also prints
     * {@code coio: no spare loop thread was idle ...} on stderr, on the 1st, 2nd, 4th, 8th ... time. Off by default;
     * the agent turns it on with {@code report=all}. Counted either way ({@code extraLoopThreads} in the stats).
     */
    public void reportExtraLoopThreads(boolean on) {
        spares.sayExtraThreads(on);
    }

    private Carrier leastLoaded() {
        Carrier best = carriers[0];
        int min = best.live.get();
        for (int i = 1; i < carriers.length && min > 0; i++) {
            int n = carriers[i].live.get();
            if (n < min) {
                best = carriers[i];
                min = n;
            }
        }
        return best;
    }

    /**
     * Loads and initialises now every class a hand-off runs: it runs inside the JDK's file reads, where loading a
     * class from the same jar would re-enter the read in progress (a {@code ZipFile} seek-then-read) and corrupt it.
     */
    private static void loadHandOffPath() {
        // Not CoioEvents' event types: JFR registers them when it starts (CoioEvents), outside any hand-off.
        String[] names = {"HandOffCause", "LoopOwner", "OsThread", "SparePool", "SparePool$Spare", "CoioEvents", "CoioEvents$Jfr",
                "CarrierTimer", "Watchdog", "Watchdog$HandedOffRun", "WorkStealing", "JdkInternals",
                "WaitPinning", "Hooks", "Waiter", "DeferredHandOff", "CleanThread"};
        for (String n : names) {
            try {
                Class.forName("io.coio.runtime." + n, true, CoioRuntime.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("coio's own class " + n + " is missing from its jar", e);
            } catch (ExceptionInInitializerError e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            } catch (NoClassDefFoundError e) {
                if (!n.startsWith("CoioEvents$")) { // no jdk.jfr module: the events are simply not recorded
                    throw e;
                }
            }
        }
    }

    private static void initJdkPoller() {
        try {
            Class.forName("sun.nio.ch.Poller", true, null);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this JDK has no sun.nio.ch.Poller; coio needs JDK 21 or newer", e);
        }
    }
}
