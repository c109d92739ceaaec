package example.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * pgjdbc against a real PostgreSQL, from many app threads at once. Args:
 * {@code <hikari|drivermanager> <jdbcUrl> <threads> <queriesPerThread>}.
 *
 * <p>Each query of worker w, round q: the server waits 20 ms ({@code pg_sleep}, so many queries are in
 * flight at once, each thread blocked in a socket read), returns 20 rows {@code (i, md5('w:q:i'))} that the
 * app checks against its own MD5, and the worker inserts one row; at the end the table's count and sum are
 * checked. {@code hikari}: a HikariCP pool of 10 connections shared by all threads; {@code drivermanager}:
 * one {@code DriverManager} connection per thread. Prints {@code RESULT queries=<ok> wrong=<n> errors=<n>}.
 */
public final class PgApp {
    interface Connections {
        Connection get() throws SQLException;
    }

    private static final AtomicLong ok = new AtomicLong();
    private static final AtomicLong wrong = new AtomicLong();
    private static final AtomicLong errors = new AtomicLong();
    private static final AtomicInteger printed = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String url = args[1];
        int threads = Integer.parseInt(args[2]);
        int queries = Integer.parseInt(args[3]);
        String table = "items_" + ProcessHandle.current().pid();
        HikariDataSource pool = null;
        Connections connections;
        if (kind.equals("hikari")) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(10);
            config.setPoolName("app-pool");
            pool = new HikariDataSource(config);
            connections = pool::getConnection;
        } else if (kind.equals("drivermanager")) {
            connections = () -> DriverManager.getConnection(url);
        } else {
            throw new IllegalArgumentException("hikari or drivermanager: " + kind);
        }
        try (Connection c = connections.get(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (worker int, round int, n bigint)");
        }
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread t = new Thread(() -> work(connections, kind, table, worker, queries), "db-worker-" + w);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        try (Connection c = connections.get(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(n), 0) FROM " + table)) {
            rs.next();
            long expectedCount = (long) threads * queries;
            long expectedSum = 0;
            for (int w = 0; w < threads; w++) {
                for (int q = 0; q < queries; q++) {
                    expectedSum += w * 1000L + q;
                }
            }
            boolean right = rs.getLong(1) == expectedCount && rs.getLong(2) == expectedSum;
            System.out.println("TABLE rows=" + rs.getLong(1) + " sum=" + rs.getLong(2) + " right=" + right);
            s.execute("DROP TABLE " + table);
        }
        if (pool != null) {
            pool.close();
        }
        System.out.println("RESULT queries=" + ok + " wrong=" + wrong + " errors=" + errors);
    }

    private static void work(Connections connections, String kind, String table, int worker, int queries) {
        // drivermanager: one connection for the whole thread; hikari: borrow per query, as pooled apps do.
        Connection own = null;
        try {
            if (kind.equals("drivermanager")) {
                own = connections.get();
            }
            for (int q = 0; q < queries; q++) {
                Connection c = own != null ? own : connections.get();
                try {
                    query(c, table, worker, q);
                } finally {
                    if (own == null) {
                        c.close();
                    }
                }
            }
        } catch (Exception e) {
            errors.incrementAndGet();
            if (printed.incrementAndGet() <= 5) {
                System.out.println("QUERY-FAILED worker " + worker + ": " + e);
            }
        } finally {
            if (own != null) {
                try {
                    own.close();
                } catch (SQLException e) {
                    errors.incrementAndGet();
                }
            }
        }
    }

    static void query(Connection c, String table, int worker, int q) throws Exception {
        String key = worker + ":" + q;
        try (PreparedStatement ps = c.prepareStatement("WITH pause AS (SELECT pg_sleep(0.02))"
                + " SELECT i, md5(?::text || ':' || i::text) FROM pause, generate_series(1, 20) AS i ORDER BY i")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                int rows = 0;
                boolean right = true;
                while (rs.next()) {
                    rows++;
                    right &= rs.getInt(1) == rows && rs.getString(2).equals(md5(key + ":" + rows));
                }
                if (rows != 20 || !right) {
                    wrong.incrementAndGet();
                    return;
                }
            }
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?)")) {
            ins.setInt(1, worker);
            ins.setInt(2, q);
            ins.setLong(3, worker * 1000L + q);
            ins.executeUpdate();
        }
        ok.incrementAndGet();
    }

    static String md5(String s) throws Exception {
        byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        return String.format("%032x", new BigInteger(1, d));
    }
}
