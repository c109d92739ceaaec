package example.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exercises the java.lang.Thread contract on threads the app creates the ordinary way, printing one
 * {@code CHECK <name> <observed>} line per property. No coio imports. Ends with {@code DONE}.
 */
public final class ThreadContractApp {
    private static final InheritableThreadLocal<String> INHERITED = new InheritableThreadLocal<>();

    public static void main(String[] args) throws Exception {
        kindOfThread();
        lifecycle();
        joinWithTimeout();
        names();
        interruptSleep();
        interruptLatchAwait();
        interruptReachesRunningCode();
        uncaughtHandler();
        defaultUncaughtHandler();
        startTwice();
        subclassOverridingRun();
        subclassOverridingStart();
        pools();
        daemonFlag();
        inheritableThreadLocal();
        System.out.println("DONE");
    }

    private static void check(String name, Object observed) {
        System.out.println("CHECK " + name + " " + observed);
    }

    private static String kind() {
        Thread me = JvmThread.current();
        return "virtual=" + me.isVirtual() + " coio=" + me.toString().contains("@coio-carrier-");
    }

    private static void kindOfThread() throws InterruptedException {
        AtomicReference<String> k = new AtomicReference<>();
        Thread t = new Thread(() -> k.set(kind()));
        t.start();
        t.join();
        check("newThread.kind", k.get());
    }

    /** NEW before start, alive and WAITING while blocked on a latch, TERMINATED after join; effects visible. */
    private static void lifecycle() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        int[] result = new int[1];
        Thread t = new Thread(() -> {
            try {
                release.await();
                result[0] = 42;
            } catch (InterruptedException e) {
                result[0] = -1;
            }
        });
        check("lifecycle.stateBeforeStart", t.getState());
        check("lifecycle.aliveBeforeStart", t.isAlive());
        t.start();
        check("lifecycle.aliveAfterStart", t.isAlive());
        check("lifecycle.stateWhileBlocked", awaitState(t, Thread.State.WAITING));
        release.countDown();
        t.join();
        check("lifecycle.aliveAfterJoin", t.isAlive());
        check("lifecycle.stateAfterJoin", t.getState());
        check("lifecycle.resultAfterJoin", result[0]);
    }

    /** join(millis) on a thread that does not end returns after about millis with the thread still alive. */
    private static void joinWithTimeout() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // ends
            }
        });
        t.start();
        long t0 = System.nanoTime();
        t.join(200);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        check("join200.aliveAfter", t.isAlive());
        check("join200.atLeast200ms", ms >= 200);
        System.out.println("ELAPSED join200 " + ms);
        release.countDown();
        t.join(10_000);
        check("join200.aliveAfterRelease", t.isAlive());
    }

    private static void names() throws InterruptedException {
        AtomicReference<String> inside = new AtomicReference<>();
        Thread t = new Thread(() -> inside.set(Thread.currentThread().getName()), "app-worker-7");
        check("name.beforeStart", t.getName());
        t.start();
        t.join();
        check("name.inside", inside.get());
        check("name.afterJoin", t.getName());

        Thread r = new Thread(() -> inside.set(Thread.currentThread().getName()));
        r.setName("renamed-before-start");
        r.start();
        r.join();
        check("name.renamedInside", inside.get());
    }

    /** interrupt() of a thread in Thread.sleep: InterruptedException, flag cleared. */
    private static void interruptSleep() throws InterruptedException {
        AtomicReference<String> outcome = new AtomicReference<>("not finished");
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(60_000);
                outcome.set("slept 60 s");
            } catch (InterruptedException e) {
                outcome.set("InterruptedException interrupted=" + Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        check("interruptSleep.stateBefore", awaitState(t, Thread.State.TIMED_WAITING));
        t.interrupt();
        t.join(10_000);
        check("interruptSleep.outcome", t.isAlive() ? "still sleeping 10 s after interrupt" : outcome.get());
    }

    /** interrupt() of a thread waiting on a CountDownLatch: InterruptedException. */
    private static void interruptLatchAwait() throws InterruptedException {
        AtomicReference<String> outcome = new AtomicReference<>("not finished");
        CountDownLatch never = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                never.await();
                outcome.set("latch opened");
            } catch (InterruptedException e) {
                outcome.set("InterruptedException");
            }
        });
        t.start();
        check("interruptLatch.stateBefore", awaitState(t, Thread.State.WAITING));
        t.interrupt();
        t.join(10_000);
        check("interruptLatch.outcome", t.isAlive() ? "still waiting 10 s after interrupt" : outcome.get());
    }

    /** interrupt() sets the flag seen by code that polls Thread.currentThread().isInterrupted(). */
    private static void interruptReachesRunningCode() throws InterruptedException {
        AtomicReference<String> outcome = new AtomicReference<>("not finished");
        CountDownLatch running = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            running.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Thread.currentThread().isInterrupted()) {
                if (System.nanoTime() > deadline) {
                    outcome.set("flag never seen in 10 s");
                    return;
                }
                Thread.onSpinWait();
            }
            outcome.set("flag seen");
        });
        t.start();
        running.await();
        t.interrupt();
        t.join(15_000);
        check("interruptFlag.outcome", outcome.get());
    }

    /** An exception escaping run() reaches the thread's handler, called with the app's Thread object. */
    private static void uncaughtHandler() throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>("handler not called");
        Thread t = new Thread(() -> {
            throw new IllegalStateException("boom");
        });
        t.setUncaughtExceptionHandler((th, e) -> seen.set("sameThreadObject=" + (th == t) + " " + e));
        t.start();
        t.join();
        check("uncaught.handler", seen.get());
        check("uncaught.stateAfter", t.getState());
    }

    /** With no per-thread handler, the default handler gets the app's Thread object. */
    private static void defaultUncaughtHandler() throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>("default handler not called");
        Thread.UncaughtExceptionHandler old = Thread.getDefaultUncaughtExceptionHandler();
        Thread t = new Thread(() -> {
            throw new IllegalArgumentException("bang");
        });
        Thread.setDefaultUncaughtExceptionHandler((th, e) -> seen.set("sameThreadObject=" + (th == t) + " " + e));
        try {
            t.start();
            t.join();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(old);
        }
        check("uncaught.defaultHandler", seen.get());
    }

    private static void startTwice() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // ends
            }
        });
        t.start();
        try {
            t.start();
            check("startTwice.whileRunning", "second start accepted");
        } catch (IllegalThreadStateException e) {
            check("startTwice.whileRunning", "IllegalThreadStateException");
        }
        release.countDown();
        t.join();
        try {
            t.start();
            check("startTwice.afterEnd", "start after end accepted");
        } catch (IllegalThreadStateException e) {
            check("startTwice.afterEnd", "IllegalThreadStateException");
        }
    }

    /** A Thread subclass overriding run(): converted too, and its own fields work. */
    static final class Worker extends Thread {
        private final int input;
        volatile String output;

        Worker(int input) {
            super("subclass-worker");
            this.input = input;
        }

        @Override
        public void run() {
            output = kind() + " input*2=" + (input * 2);
        }
    }

    private static void subclassOverridingRun() throws InterruptedException {
        Worker w = new Worker(21);
        w.start();
        w.join();
        check("subclass.output", w.output);
        check("subclass.stateAfterJoin", w.getState());
    }

    /**
     * A Thread subclass whose start() override calls super.start(), and a plain thread started from a subclass's run():
     * the JVM's caller of Thread.start is a Thread subclass in both, so coio looks past it (a stack walk) for the code
     * that started the thread. Converted too.
     */
    static final class StartingWorker extends Thread {
        volatile String output;
        volatile String childOutput;

        StartingWorker() {
            super("subclass-starting-worker");
        }

        @Override
        public void start() {
            output = "start-override";
            super.start();
        }

        @Override
        public void run() {
            output = output + " " + kind();
            AtomicReference<String> child = new AtomicReference<>();
            Thread t = new Thread(() -> child.set(kind()), "started-from-subclass-run");
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            childOutput = child.get();
        }
    }

    private static void subclassOverridingStart() throws InterruptedException {
        StartingWorker w = new StartingWorker();
        w.start();
        w.join();
        check("subclassStart.output", w.output);
        check("subclassStart.childStartedInRun", w.childOutput);
    }

    private static void pools() throws Exception {
        ExecutorService fixed = Executors.newFixedThreadPool(2);
        check("pool.fixed", fixed.submit(ThreadContractApp::kind).get(10, TimeUnit.SECONDS));
        fixed.shutdown();
        check("pool.fixedTerminated", fixed.awaitTermination(10, TimeUnit.SECONDS));
        ExecutorService cached = Executors.newCachedThreadPool();
        check("pool.cached", cached.submit(ThreadContractApp::kind).get(10, TimeUnit.SECONDS));
        cached.shutdown();
        check("pool.cachedTerminated", cached.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static void daemonFlag() throws InterruptedException {
        Thread t = new Thread(() -> { });
        t.setDaemon(true);
        check("daemon.flag", t.isDaemon());
        t.start();
        t.join();
        Thread u = new Thread(() -> { });
        check("daemon.defaultFlag", u.isDaemon());
    }

    private static void inheritableThreadLocal() throws InterruptedException {
        INHERITED.set("from-main");
        AtomicReference<String> inside = new AtomicReference<>();
        Thread t = new Thread(() -> inside.set(INHERITED.get()));
        t.start();
        t.join();
        check("inheritableThreadLocal.inside", inside.get());
    }

    /** Polls (at most 10 s) until {@code t} reaches {@code want}; returns the state last seen. */
    private static Thread.State awaitState(Thread t, Thread.State want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Thread.State st = t.getState();
        while (st != want && System.nanoTime() < deadline) {
            Thread.sleep(2);
            st = t.getState();
        }
        return st;
    }
}
