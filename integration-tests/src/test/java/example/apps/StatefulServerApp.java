package example.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-per-connection line server whose handlers keep per-connection state in a ThreadLocal,
 * sleep with Thread.sleep, and do every socket read and write while holding a per-connection monitor.
 * No coio imports.
 *
 * <p>Commands (one per line): {@code add <n>} answers {@code sum <running sum of this connection>};
 * {@code sleep <ms>} answers {@code slept <ms> concurrent <max sleepers seen at once so far>};
 * {@code whoami} answers {@code thread <name> virtual=<b> coio=<b>}; {@code timers} answers
 * {@code jdk-timer-threads <n>}, the number of live JDK "VirtualThread-unparker" threads (the JDK's timer for
 * virtual threads with a custom scheduler, created at its first use); {@code quit} exits the JVM.
 */
public final class StatefulServerApp {
    private static final ThreadLocal<long[]> SUM = ThreadLocal.withInitial(() -> new long[1]);
    private static final AtomicInteger SLEEPING = new AtomicInteger();
    private static final AtomicInteger MAX_SLEEPING = new AtomicInteger();

    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on " + server.getLocalPort());
            while (true) {
                Socket s = server.accept();
                new Thread(() -> handle(s)).start();
            }
        }
    }

    private static void handle(Socket s) {
        Object connectionLock = new Object();
        try (s;
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            while (true) {
                String line;
                synchronized (connectionLock) {
                    line = in.readLine(); // blocking socket read inside synchronized
                }
                if (line == null) {
                    return;
                }
                String answer = answer(line);
                synchronized (connectionLock) {
                    out.println(answer); // socket write inside synchronized
                }
            }
        } catch (IOException | InterruptedException e) {
            System.out.println("handler error: " + e);
        }
    }

    private static String answer(String line) throws InterruptedException {
        String[] p = line.split(" ");
        switch (p[0]) {
            case "add" -> {
                long[] sum = SUM.get();
                sum[0] += Long.parseLong(p[1]);
                return "sum " + sum[0];
            }
            case "sleep" -> {
                int now = SLEEPING.incrementAndGet();
                MAX_SLEEPING.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(Long.parseLong(p[1]));
                } finally {
                    SLEEPING.decrementAndGet();
                }
                return "slept " + p[1] + " concurrent " + MAX_SLEEPING.get();
            }
            case "whoami" -> {
                Thread me = JvmThread.current();
                return "thread " + me.getName() + " virtual=" + me.isVirtual()
                        + " coio=" + me.toString().contains("@coio-carrier-");
            }
            case "timers" -> {
                long n = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("VirtualThread-unparker")).count();
                return "jdk-timer-threads " + n;
            }
            case "quit" -> {
                System.out.println("quitting");
                System.exit(0);
                return "unreachable";
            }
            default -> {
                return "unknown " + line;
            }
        }
    }
}
