package example.peers;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What an operator would check on a Jetty server after a load: did the {@link QueuedThreadPool} grow with
 * the load, shrink again after its idle timeout, and does its own set of threads hold only live threads
 * (a dead one there is a leak: Jetty adds a worker's {@code Thread} when it starts it and removes
 * {@code Thread.currentThread()} when the worker ends, so the two must be the same object).
 */
public final class JettyPoolReport {
    private JettyPoolReport() {}

    /**
     * Waits (at most 20 s) for the pool to shrink back to its minimum after the load, then prints
     * {@code POOL peak=<threads at the start> now=<threads> shrunk=<bool> inSet=<size> dead=<n>}.
     */
    public static void print(QueuedThreadPool pool) throws Exception {
        int before = pool.getThreads();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (pool.getThreads() > pool.getMinThreads() && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the pool's own gauge, bounded by the deadline
        }
        int now = pool.getThreads();
        Set<Thread> set = threadSet(pool);
        List<String> dead = new ArrayList<>();
        for (Thread t : set) { // a concurrent set in Jetty
            if (!t.isAlive()) {
                dead.add(t.getName());
            }
        }
        System.out.println("POOL before=" + before + " now=" + now + " shrunk=" + (now <= pool.getMinThreads())
                + " inSet=" + set.size() + " dead=" + dead.size()
                + (dead.isEmpty() ? "" : " e.g. " + dead.subList(0, Math.min(3, dead.size()))));
    }

    @SuppressWarnings("unchecked")
    private static Set<Thread> threadSet(QueuedThreadPool pool) throws ReflectiveOperationException {
        Field f = QueuedThreadPool.class.getDeclaredField("_threads");
        f.setAccessible(true);
        return (Set<Thread>) f.get(pool);
    }
}
