package io.coio.agent.internal;

import io.coio.runtime.AppThreadBody;
import io.coio.runtime.CoioRuntime;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns app threads into coroutines at {@code Thread.start()}.
 *
 * <p>A converted app thread is never started as an OS thread. Instead a coroutine (its "shadow") runs the
 * app thread's own {@code run()} — so {@code Thread} subclasses that override {@code run()} work — and the
 * app's {@code Thread} object forwards {@code isAlive/join/getState/interrupt/isInterrupted/getStackTrace}
 * to the shadow while it runs (see {@link JdkRewriter}). Its JDK status field is set to RUNNABLE at start
 * (so a second {@code start()} throws {@code IllegalThreadStateException} as usual) and TERMINATED at the
 * end (so {@code getState()} and {@code join()} answer as for an ended thread once the shadow is gone).
 * Uncaught exceptions go to the app thread's handler with the app thread as argument. A non-daemon app
 * thread holds {@link KeepAlive} while it runs, since virtual threads never keep the JVM alive.
 *
 * <p>Converted: threads started by application code (the caller of {@code start()} is not a JDK or coio
 * class), and {@code ThreadPoolExecutor} workers of plain {@code java.lang.Thread} class (the default
 * thread factory's). Not converted: threads started by other JDK code, JDK {@code Thread} subclasses,
 * virtual threads, Netty's {@code FastThreadLocalThread} (it runs its own event loop), coio's own threads,
 * and threads the {@code include}/{@code exclude} options leave out.
 */
final class ThreadConversion implements AppThreadBody {
    /**
     * Netty's event-loop thread class. Built at run time: as a constant, the shade plugin would relocate it
     * to coio's own copy of Netty and the app's Netty threads would no longer match.
     */
    private static final String NETTY_LOOP_THREAD = String.join(".", "io", "netty", "util", "concurrent",
            "FastThreadLocalThread");

    /**
     * Finds the caller of {@code Thread.start()} when the direct caller is start plumbing. The usual stack (this class twice, the bridge,
     * {@code Thread.start}, the caller) fits one batch of six frames: the walk materialises no more than that.
     */
    private static final StackWalker WALKER = StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE), 6);

    private final CoioRuntime runtime;
    private final Pattern include;
    private final Pattern exclude;
    private final Runnable firstShadow;
    private final ConcurrentHashMap<Thread, Thread> shadows = new ConcurrentHashMap<>();
    private final KeepAlive keepAlive = new KeepAlive();

    /** @param firstShadow run before a shadow is published while none exists (turns on the Thread hooks) */
    ThreadConversion(CoioRuntime runtime, Pattern include, Pattern exclude, Runnable firstShadow) {
        // Loaded (and initialised) now, on the installing thread: loaded lazily by the first coroutine, each would
        // read the agent jar (file I/O), which hands the coroutine's carrier off.
        for (Class<?> used : new Class<?>[] {AppThreadState.class, PoolWorkers.class, ThreadHolder.class}) {
            try {
                Class.forName(used.getName(), true, used.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        this.runtime = runtime;
        this.include = include;
        this.exclude = exclude;
        this.firstShadow = firstShadow;
    }

    /**
     * The {@code Thread.start()} hook: true if {@code t} now runs as a coroutine. {@code directCaller} is the class
     * that called {@code Thread.start} (the JVM's {@code Reflection.getCallerClass()}, no allocation); only when that
     * is start plumbing (a subclass's {@code start()} override, the JDK's thread-container path) does the stack walk
     * look further.
     */
    boolean start(Thread t, Class<?> directCaller) {
        if (t.isVirtual() || ThreadHolder.status(t) != ThreadHolder.NEW || !eligibleClass(t.getClass())
                || !byName(t)) {
            return false;
        }
        Class<?> caller = directCaller == null || isStartPlumbing(directCaller) ? callerOfStart() : directCaller;
        if (caller == null || !startedByApp(caller, t)) {
            return false;
        }
        synchronized (t) { // Thread.start() is synchronized too: one start wins
            if (ThreadHolder.status(t) != ThreadHolder.NEW) {
                return false; // the JDK's start() will throw IllegalThreadStateException
            }
            Thread shadow = runtime.newCoroutineFor(t, this); // runs begin(t), t.run(), ended(t)
            shadow.setContextClassLoader(t.getContextClassLoader());
            if (shadows.isEmpty()) {
                firstShadow.run();
            }
            shadows.put(t, shadow);
            ThreadHolder.setStatus(t, ThreadHolder.RUNNABLE);
            if (!t.isDaemon()) {
                keepAlive.acquire();
            }
            runtime.start(shadow); // in its carrier's thread container: thread dumps group it by carrier
        }
        return true;
    }

    /** The coroutine standing in for {@code t}, or null. */
    Thread shadowOf(Thread t) {
        return shadows.get(t);
    }

    /** The app threads whose coroutines run now (a live view). */
    java.util.Set<Thread> runningAppThreads() {
        return shadows.keySet();
    }

    /*
     * What every shadow does around its app thread's run(), which the runtime calls itself (AppThreadBody): this
     * object serves every shadow (no lambda per converted thread), and no frame of coio's sits between the shadow's
     * task and the app's run() in the stack chunk of every parked coroutine.
     */

    @Override
    public void begin(Thread app) {
        AppThreadState.share(app, Thread.currentThread());
    }

    @Override
    public void uncaught(Thread app, Throwable e) {
        Thread.UncaughtExceptionHandler h = app.getUncaughtExceptionHandler();
        if (h != null) {
            h.uncaughtException(app, e);
        }
    }

    @Override
    public void ended(Thread app) {
        AppThreadState.handBack(app, Thread.currentThread());
        AppThreadState.handBackInterrupt(app, Thread.currentThread());
        ThreadHolder.setStatus(app, ThreadHolder.TERMINATED);
        shadows.remove(app);
        AppThreadState.handBackInterrupt(app, Thread.currentThread());
        synchronized (app) {
            app.notifyAll(); // a platform-style join() waiting on the monitor re-checks isAlive()
        }
        if (!app.isDaemon()) {
            keepAlive.release();
        }
    }

    private boolean byName(Thread t) {
        String name = t.getName();
        if (include != null && !include.matcher(name).matches()) {
            return false;
        }
        return exclude == null || !(exclude.matcher(name).matches() || exclude.matcher(t.getClass().getName()).matches());
    }

    private static boolean eligibleClass(Class<?> c) {
        if (c != Thread.class && isJdk(c.getClassLoader())) {
            return false; // a JDK Thread subclass (InnocuousThread, ForkJoinWorkerThread, TimerThread, ...)
        }
        for (Class<?> k = c; k != Thread.class; k = k.getSuperclass()) {
            String n = k.getName();
            if (n.equals(NETTY_LOOP_THREAD) || n.endsWith("." + NETTY_LOOP_THREAD)) {
                return false; // runs its own event loop; also relocated copies (io.grpc.netty.shaded.io.netty...)
            }
        }
        return true;
    }

    private static boolean startedByApp(Class<?> caller, Thread t) {
        if (caller == ThreadPoolExecutor.class) {
            // a worker from the default (or a plain) thread factory, of an app's pool (not RMI's, say)
            return t.getClass() == Thread.class && !PoolWorkers.ofJdkPool(t);
        }
        if (isJdk(caller.getClassLoader())) {
            return false; // started by the JDK itself
        }
        return !isCoioInternal(caller.getName());
    }

    /** The boot and platform loaders define the JDK's own classes. */
    static boolean isJdk(ClassLoader loader) {
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    /**
     * coio's own code (runtime, agent, its relocated dependencies, the explicit-coroutine API, native-swap) — not
     * coio's examples or users' code. Its {@code Thread.currentThread()} calls are not rewritten: it asks about the
     * coroutine, not the app's view of it.
     */
    static boolean isCoioInternal(String className) {
        return className.startsWith("io.coio.runtime.") || className.startsWith("io.coio.agent.")
                || className.startsWith("io.coio.shaded.") || className.startsWith("io.coio.api.")
                || className.startsWith("io.coio.nativeswap.");
    }

    /**
     * The class whose code called {@code Thread.start()}: skips overrides of start() in subclasses, and the
     * JDK's thread-container plumbing ({@code SharedThreadContainer.start} -> {@code JavaLangAccess.start}
     * -> {@code Thread.start(ThreadContainer)}) through which {@code ThreadPoolExecutor} starts workers.
     */
    private static Class<?> callerOfStart() {
        return WALKER.walk(CALLER_IN);
    }

    /** {@link #callerIn} as a class, not a method reference (spun through java.lang.invoke at first use). */
    private static final java.util.function.Function<Stream<StackWalker.StackFrame>, Class<?>> CALLER_IN =
            new java.util.function.Function<>() {
                @Override
                public Class<?> apply(Stream<StackWalker.StackFrame> frames) {
                    return callerIn(frames);
                }
            };

    /** A loop rather than stream operations: garbage here is per started thread (those started through plumbing). */
    private static Class<?> callerIn(Stream<StackWalker.StackFrame> frames) {
        boolean inStart = false;
        for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
            StackWalker.StackFrame f = it.next();
            Class<?> c = f.getDeclaringClass();
            if (!inStart) { // the method name is only asked of Thread's frames: it costs a string per frame
                inStart = c == Thread.class && f.getMethodName().equals("start");
            } else if (!(isStartPlumbing(c) && f.getMethodName().equals("start"))) {
                return c;
            }
        }
        return null;
    }

    private static boolean isStartPlumbing(Class<?> c) {
        return Thread.class.isAssignableFrom(c) || c.getName().startsWith("java.lang.System$")
                || c.getName().startsWith("jdk.internal.vm.");
    }

    /**
     * Keeps the JVM alive while converted non-daemon threads run, as their OS threads would have: one
     * non-daemon platform thread that exists exactly while the count is above zero.
     */
    private static final class KeepAlive {
        private int count;

        synchronized void acquire() {
            if (count++ == 0) {
                Thread t = new Thread(new Runnable() {
                    @Override
                    public void run() {
                        hold();
                    }
                }, "coio-keepalive");
                t.setDaemon(false);
                t.start();
            }
        }

        synchronized void release() {
            if (--count == 0) {
                notifyAll();
            }
        }

        private synchronized void hold() {
            while (count > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    // keep holding: only the count decides
                }
            }
        }
    }
}
