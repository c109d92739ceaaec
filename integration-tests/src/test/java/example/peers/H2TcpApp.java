package example.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.h2.tools.Server;

/**
 * The H2 database's TCP server (a thread per connection) and many JDBC clients in the same app, all plain threads.
 * Args: {@code <threads>}. Each client thread opens its own connection and makes 20 inserts, a select of its rows,
 * 10 committed transfers between two shared accounts (row locks: threads queue behind each other), a rolled-back
 * delete, a duplicate key (SQL state 23505) and a query that sleeps 20 ms in a Java function on the server. Prints
 * one sorted line per thread, the table totals and {@code RESULT ok=<threads that saw everything right> wrong=<n>}:
 * the same text in every JVM.
 */
public final class H2TcpApp {
    public static int pause(int ms) throws InterruptedException { // an H2 function: a server thread sleeps
        Thread.sleep(ms);
        return ms;
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("h2-peer");
        Server server = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists").start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:peer;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=60000";
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            c.createStatement().execute("create table item(id int primary key, owner int, v varchar(100))");
            c.createStatement().execute("create table acct(id int primary key, bal bigint)");
            c.createStatement().execute("insert into acct values (1, 1000000), (2, 0)");
            c.createStatement().execute("create alias pause for \"" + H2TcpApp.class.getName() + ".pause\"");
        }
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            int id = i;
            Thread t = new Thread(() -> lines.add(client(url, id, go)), "h2-client-" + i);
            t.start();
            clients.add(t);
        }
        go.countDown();
        for (Thread t : clients) {
            t.join();
        }
        Collections.sort(lines);
        lines.forEach(System.out::println);
        long ok = lines.stream().filter(l -> l.endsWith(" ok")).count();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            ResultSet rs = c.createStatement().executeQuery("select count(*), sum(id) from item");
            rs.next();
            System.out.println("rows " + rs.getInt(1) + " sum " + rs.getLong(2));
            rs = c.createStatement().executeQuery("select bal from acct order by id");
            rs.next();
            long from = rs.getLong(1);
            rs.next();
            System.out.println("accounts " + from + " " + rs.getLong(1));
        }
        server.stop();
        System.out.println("RESULT ok=" + ok + " wrong=" + (threads - ok));
    }

    private static String client(String url, int id, CountDownLatch go) {
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            go.await();
            PreparedStatement ins = c.prepareStatement("insert into item values (?, ?, ?)");
            for (int k = 0; k < 20; k++) {
                ins.setInt(1, id * 1000 + k);
                ins.setInt(2, id);
                ins.setString(3, "v" + id + "-" + k);
                ins.executeUpdate();
            }
            PreparedStatement sel = c.prepareStatement("select count(*), sum(id), max(v) from item where owner = ?");
            sel.setInt(1, id);
            ResultSet rs = sel.executeQuery();
            rs.next();
            String rows = rs.getInt(1) + "/" + rs.getLong(2) + "/" + rs.getString(3);
            c.setAutoCommit(false);
            for (int k = 0; k < 10; k++) {
                c.createStatement().executeUpdate("update acct set bal = bal - 1 where id = 1");
                c.createStatement().executeUpdate("update acct set bal = bal + 1 where id = 2");
                c.commit();
            }
            c.createStatement().executeUpdate("delete from item where owner = " + id);
            c.rollback();
            c.setAutoCommit(true);
            String duplicate;
            try {
                ins.setInt(1, id * 1000);
                ins.executeUpdate();
                duplicate = "none";
            } catch (SQLException e) {
                duplicate = e.getSQLState();
            }
            ResultSet slept = c.createStatement().executeQuery("select pause(20), " + id);
            slept.next();
            boolean right = rows.equals("20/" + (id * 20_000L + 190) + "/v" + id + "-9") && duplicate.equals("23505")
                    && slept.getInt(2) == id;
            return String.format("client %03d rows=%s duplicate=%s %s", id, rows, duplicate, right ? "ok" : "WRONG");
        } catch (Exception e) {
            return String.format("client %03d failed: %s", id, e);
        }
    }
}
