package example.bulk;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many app threads that each open a pgjdbc connection (password authentication: SCRAM-SHA-256 when the server
 * asks for it, 4,096 PBKDF2 iterations on the client per connection), run one query that returns the thread's
 * number, and close. All threads start and then wait on one latch, so the connects come at once. Args:
 * {@code <jdbcUrl> <user> <password> <threads>}. Prints {@code PGCONNECT ok=<n> wrong=<n> errors=<n>
 * p50ms=<ms> p90ms=<ms> p99ms=<ms> maxms=<ms> wallms=<ms> ownP50ms=<ms> ownP99ms=<ms>}: per thread, the time from
 * the common start to the end of its connect + query + close (what a user of that thread waits for); {@code own*}:
 * from the moment the thread itself got past the latch (its own connect's duration, which hides the time a
 * platform thread waited for the OS to wake it).
 */
public final class PgConnectApp {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        int threads = Integer.parseInt(args[3]);
        // One connection first: loads the driver and its classes, as a running app would have.
        check(url, props, -1);
        AtomicLong ok = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long[] latency = new long[threads];
        long[] own = new long[threads];
        CountDownLatch go = new CountDownLatch(1);
        long[] start = new long[1];
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    long t0 = System.nanoTime();
                    boolean right = check(url, props, id);
                    long t1 = System.nanoTime();
                    latency[id] = t1 - start[0];
                    own[id] = t1 - t0;
                    (right ? ok : wrong).incrementAndGet();
                } catch (Exception e) {
                    latency[id] = Long.MAX_VALUE;
                    own[id] = Long.MAX_VALUE;
                    if (errors.incrementAndGet() <= 5) {
                        System.err.println("connect " + id + ": " + e);
                    }
                }
            }, "pg-connect-" + i);
            workers.add(t);
            t.start();
        }
        start[0] = System.nanoTime();
        go.countDown();
        for (Thread t : workers) {
            t.join();
        }
        long wall = System.nanoTime() - start[0];
        Arrays.sort(latency);
        Arrays.sort(own);
        System.out.printf("PGCONNECT ok=%d wrong=%d errors=%d p50ms=%.1f p90ms=%.1f p99ms=%.1f maxms=%.1f wallms=%.1f"
                        + " ownP50ms=%.1f ownP99ms=%.1f%n", ok.get(), wrong.get(), errors.get(), ms(latency, 0.50),
                ms(latency, 0.90), ms(latency, 0.99), ms(latency, 1.0), wall / 1e6, ms(own, 0.50), ms(own, 0.99));
    }

    private static boolean check(String url, Properties props, int id) throws Exception {
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + id + " + 1")) {
            return rs.next() && rs.getInt(1) == id + 1;
        }
    }

    private static double ms(long[] sorted, double q) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
        long v = sorted[Math.max(0, i)];
        return v == Long.MAX_VALUE ? Double.NaN : v / 1e6;
    }
}
