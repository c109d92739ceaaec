package example.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A thread spins (a pool's spin-wait) until another thread, started once it spins, tells it to stop; it gives up
 * after 15 s. On platform threads the kernel time-slices the two, so the other thread stops it at once. Prints
 * {@code SPINNER stopped by the other thread} or {@code SPINNER gave up}, then exits 0.
 */
public final class StarvedSpinApp {
    private static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        CountDownLatch spinning = new CountDownLatch(1);
        long limit = TimeUnit.SECONDS.toNanos(15);
        Thread spinner = new Thread(() -> {
            spinning.countDown();
            long end = System.nanoTime() + limit;
            while (!stop && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            System.out.println(stop ? "SPINNER stopped by the other thread" : "SPINNER gave up");
        }, "spinner");
        spinner.start();
        if (!spinning.await(60, TimeUnit.SECONDS)) {
            System.out.println("SPINNER never started");
            return;
        }
        Thread other = new Thread(() -> stop = true, "other");
        other.start();
        other.join(60_000);
        spinner.join(60_000);
    }
}
