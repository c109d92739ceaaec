package example.apps;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two pairs of daemon threads deadlock, one pair on monitors and one on {@code ReentrantLock}s, and the app asks the
 * JVM's deadlock detector, as a health check would ({@code ThreadMXBean.findDeadlockedThreads}). Prints the counts
 * and the {@code ThreadInfo} lock fields of a thread blocked entering a monitor.
 */
public final class DeadlockApp {
    public static void main(String[] args) throws Exception {
        Object x = new Object();
        Object y = new Object();
        CountDownLatch holding = new CountDownLatch(2);
        Thread t1 = daemon("monitor-1", () -> lockBoth(x, y, holding));
        Thread t2 = daemon("monitor-2", () -> lockBoth(y, x, holding));
        awaitState(t1, Thread.State.BLOCKED);
        awaitState(t2, Thread.State.BLOCKED);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("monitor deadlock: " + count(mx.findMonitorDeadlockedThreads()));
        ReentrantLock l1 = new ReentrantLock();
        ReentrantLock l2 = new ReentrantLock();
        CountDownLatch locked = new CountDownLatch(2);
        Thread t3 = daemon("lock-1", () -> lockBoth(l1, l2, locked));
        Thread t4 = daemon("lock-2", () -> lockBoth(l2, l1, locked));
        awaitState(t3, Thread.State.WAITING);
        awaitState(t4, Thread.State.WAITING);
        System.out.println("all deadlocks: " + count(mx.findDeadlockedThreads()));
        ThreadInfo info = mx.getThreadInfo(t1.threadId(), 5);
        System.out.println("blocked thread info: state=" + info.getThreadState() + " lockName=" + (info.getLockName() != null)
                + " lockOwner=" + info.getLockOwnerName());
    }

    private static int count(long[] ids) {
        return ids == null ? 0 : ids.length;
    }

    private static void lockBoth(Object first, Object second, CountDownLatch holding) {
        synchronized (first) {
            holding.countDown();
            awaitQuietly(holding);
            synchronized (second) {
                System.out.println("never");
            }
        }
    }

    private static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch holding) {
        first.lock();
        holding.countDown();
        awaitQuietly(holding);
        second.lock();
        System.out.println("never");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        for (int i = 0; i < 6000 && t.getState() != state; i++) {
            Thread.sleep(10); // polls what the JVM reports, bounded (60 s)
        }
    }
}
