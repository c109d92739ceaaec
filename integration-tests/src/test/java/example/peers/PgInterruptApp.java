package example.peers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interrupting a thread while pgjdbc waits for a query's answer. On platform threads an interrupt does not
 * touch a blocking {@code java.net.Socket} read: the query completes and the interrupt flag stays set for
 * the app to look at. Args: {@code <jdbcUrl> <threads> <queriesPerThread>}.
 *
 * <p>Each worker runs queries that take 200 ms on the server ({@code pg_sleep}) on its own
 * {@code DriverManager} connection; for every query a watcher thread waits until the worker's stack shows
 * it inside the socket read ({@code NioSocketImpl.implRead}), interrupts it, and waits for the query to end.
 * The worker checks the rows, records whether its interrupt flag was set, and clears it. Prints
 * {@code RESULT queries=<ok> interruptedInRead=<n> flagSeen=<n> wrong=<n> errors=<n>}.
 */
public final class PgInterruptApp {
    private static final AtomicInteger ok = new AtomicInteger();
    private static final AtomicInteger interruptedInRead = new AtomicInteger();
    private static final AtomicInteger flagSeen = new AtomicInteger();
    private static final AtomicInteger wrong = new AtomicInteger();
    private static final AtomicInteger errors = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int threads = Integer.parseInt(args[1]);
        int queries = Integer.parseInt(args[2]);
        List<Thread> all = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            AtomicInteger started = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            int worker = w;
            Thread t = new Thread(() -> work(url, worker, queries, started, done), "db-worker-" + w);
            Thread watcher = new Thread(() -> interruptEachQuery(t, queries, started, done), "db-watcher-" + w);
            all.add(t);
            all.add(watcher);
            t.start();
            watcher.start();
        }
        for (Thread t : all) {
            t.join();
        }
        System.out.println("RESULT queries=" + ok + " interruptedInRead=" + interruptedInRead + " flagSeen=" + flagSeen
                + " wrong=" + wrong + " errors=" + errors);
    }

    private static void work(String url, int worker, int queries, AtomicInteger started, AtomicInteger done) {
        try (Connection c = DriverManager.getConnection(url)) {
            for (int q = 0; q < queries; q++) {
                try (PreparedStatement ps = c.prepareStatement(
                        "WITH pause AS (SELECT pg_sleep(0.2)) SELECT ?::int * 1000 + i FROM pause, generate_series(1, 5) i"
                                + " ORDER BY i")) {
                    ps.setInt(1, worker * 100 + q);
                    started.set(q + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        int i = 0;
                        boolean right = true;
                        while (rs.next()) {
                            i++;
                            right &= rs.getInt(1) == (worker * 100 + q) * 1000 + i;
                        }
                        if (i == 5 && right) {
                            ok.incrementAndGet();
                        } else {
                            wrong.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    System.out.println("QUERY-FAILED worker " + worker + " query " + q + ": " + e);
                } finally {
                    if (Thread.interrupted()) { // the app sees (and clears) the interrupt after the query
                        flagSeen.incrementAndGet();
                    }
                    done.incrementAndGet();
                }
            }
        } catch (Exception e) {
            errors.incrementAndGet();
            System.out.println("CONNECTION-FAILED worker " + worker + ": " + e);
            done.set(Integer.MAX_VALUE);
        }
    }

    /**
     * For each query: wait (bounded) until the worker has sent it and waits in the socket read for the answer,
     * interrupt it, wait for the query to end.
     */
    private static void interruptEachQuery(Thread worker, int queries, AtomicInteger started, AtomicInteger done) {
        for (int q = 0; q < queries; q++) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (done.get() == q && !(started.get() == q + 1 && inSocketRead(worker))
                    && System.nanoTime() < deadline) {
                sleepBriefly();
            }
            if (done.get() == q && started.get() == q + 1 && inSocketRead(worker)) {
                worker.interrupt();
                interruptedInRead.incrementAndGet();
            }
            while (done.get() <= q && System.nanoTime() < deadline) {
                sleepBriefly();
            }
        }
    }

    private static boolean inSocketRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("sun.nio.ch.NioSocketImpl") && e.getMethodName().equals("implRead")) {
                return true;
            }
        }
        return false;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(2); // polling another thread's state, bounded by the caller's deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
