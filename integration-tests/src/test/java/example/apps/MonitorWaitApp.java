package example.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many threads in {@code Object.wait} at once, the way producer/consumer code and libraries' task runners (OkHttp's
 * {@code TaskRunner}, {@code commons-pool}) wait: each of {@code args[0]} threads waits inside {@code synchronized}
 * (untimed, then timed {@code wait(ms)} and {@code wait(ms, ns)} rounds) until {@code main} has seen all of them
 * {@code WAITING} and calls {@code notifyAll}. Prints only what any JVM prints for the same program.
 */
public final class MonitorWaitApp {
    private static final Object LOCK = new Object();
    private static boolean released; // guarded by LOCK

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        AtomicInteger woken = new AtomicInteger();
        AtomicInteger timedRounds = new AtomicInteger();
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    synchronized (LOCK) {
                        while (!released) {
                            LOCK.wait();
                        }
                    }
                    woken.incrementAndGet();
                    Object own = new Object();
                    for (int round = 0; round < 5; round++) {
                        synchronized (own) {
                            if (round % 2 == 0) {
                                own.wait(2);
                            } else {
                                own.wait(1, 500_000);
                            }
                        }
                        timedRounds.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    System.out.println("interrupted " + e);
                }
            }, "waiter-" + i);
            t.start();
            all.add(t);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        int waiting = 0;
        while (waiting < threads && System.nanoTime() < deadline) {
            waiting = 0;
            for (Thread t : all) {
                if (t.getState() == Thread.State.WAITING) {
                    waiting++;
                }
            }
            Thread.sleep(10);
        }
        System.out.println("all waiting: " + (waiting == threads));
        synchronized (LOCK) {
            released = true;
            LOCK.notifyAll();
        }
        for (Thread t : all) {
            t.join(60_000);
        }
        System.out.println("woken: " + woken.get());
        System.out.println("timed rounds: " + timedRounds.get());
        System.out.println("all ended: " + all.stream().noneMatch(Thread::isAlive));
    }
}
