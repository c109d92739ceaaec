package example.apps;

import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a thread's interrupt status lives across its life: set before {@code start()}, left set at the end,
 * set while the thread waits to re-enter a monitor after {@code wait()}, and an interrupt that must wake
 * {@code Selector.select()}. Prints one {@code CHECK <name> <observed>} per property (the same on platform
 * threads and under coio) and {@code CHECK kind ...}; no coio imports. Ends with {@code DONE}.
 * Every wait is bounded: a thread that does not end is reported as {@code alive=true}, not waited for.
 */
public final class ThreadInterruptApp {
    private static final long BOUND_SECONDS = 30;

    public static void main(String[] args) throws Exception {
        AtomicReference<String> kind = new AtomicReference<>();
        endAndReport(started(() -> kind.set(JvmThread.kind())));
        check("kind", kind.get());
        interruptedBeforeStart();
        endsInterrupted();
        endsAfterClearingInterrupt();
        interruptWhileReenteringMonitor();
        interruptWakesSelect();
        System.out.println("DONE");
    }

    /** A platform thread interrupted before start() runs with its interrupt status set. */
    private static void interruptedBeforeStart() throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = new Thread(() -> seen.set("isInterrupted=" + Thread.currentThread().isInterrupted()
                + " interrupted()=" + Thread.interrupted() + " thenCleared=" + !Thread.currentThread().isInterrupted()));
        t.interrupt();
        boolean before = t.isInterrupted();
        t.start();
        String ended = endAndReport(t);
        check("beforeStart", "flagBeforeStart=" + before + " " + seen.get() + ended + " endedInterrupted=" + t.isInterrupted());
    }

    /** A thread that ends with its interrupt status set still reports it after it ended. */
    private static void endsInterrupted() throws InterruptedException {
        Thread t = started(() -> Thread.currentThread().interrupt());
        check("endsInterrupted", endAndReport(t).trim() + " isInterrupted=" + t.isInterrupted());
    }

    /** Interrupted from outside, cleared inside: the ended thread reports no interrupt. */
    private static void endsAfterClearingInterrupt() throws InterruptedException {
        Object gate = new Object();
        boolean[] cleared = new boolean[1];
        Thread t = new Thread(() -> {
            synchronized (gate) {
                try {
                    gate.wait(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
                } catch (InterruptedException e) {
                    cleared[0] = !Thread.currentThread().isInterrupted();
                }
            }
        });
        t.start();
        awaitState(t, Thread.State.TIMED_WAITING);
        t.interrupt();
        check("endsCleared", endAndReport(t).trim() + " clearedByException=" + cleared[0]
                + " isInterrupted=" + t.isInterrupted());
    }

    /**
     * Notified, then interrupted while blocked re-entering the monitor: wait() returns normally (the notify
     * came first) and the thread ends with its interrupt status still set.
     */
    private static void interruptWhileReenteringMonitor() throws InterruptedException {
        Object lock = new Object();
        AtomicReference<String> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            synchronized (lock) {
                try {
                    lock.wait();
                    outcome.set("returned");
                } catch (InterruptedException e) {
                    outcome.set("InterruptedException");
                }
            }
        });
        t.start();
        awaitState(t, Thread.State.WAITING);
        synchronized (lock) {
            lock.notifyAll();
            awaitState(t, Thread.State.BLOCKED);
            t.interrupt();
        }
        check("reenterInterrupted", "wait " + endAndReport(t).trim().replace("alive=false", outcome.get())
                + " isInterrupted=" + t.isInterrupted());
    }

    /** An interrupt wakes a thread blocked in Selector.select(), which returns with the status set. */
    private static void interruptWakesSelect() throws Exception {
        AtomicReference<String> outcome = new AtomicReference<>("no return");
        try (Selector selector = Selector.open()) {
            Thread t = started(() -> {
                try {
                    int n = selector.select();
                    outcome.set("returned " + n + " isInterrupted=" + Thread.currentThread().isInterrupted());
                } catch (Exception e) {
                    outcome.set(e.toString());
                }
            });
            awaitInSelect(t);
            t.interrupt();
            String ended = endAndReport(t);
            check("selectInterrupted", outcome.get() + ended);
        }
    }

    /** Until t's stack shows select() (its state does not say: RUNNABLE in native code on a platform thread). */
    private static void awaitInSelect(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getMethodName().equals("select")) {
                    return;
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("thread never reached select(): " + t.getState());
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    /** Joins with a bound: " alive=false" once ended (the contract), " alive=true" if it never ended. */
    private static String endAndReport(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
        return " alive=" + t.isAlive();
    }

    private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (t.getState() != state) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("thread never reached " + state + ", is " + t.getState());
            }
            Thread.sleep(5);
        }
    }

    private static void check(String name, Object observed) {
        System.out.println("CHECK " + name + " " + observed);
    }
}
