package example.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An ordinary blocking echo server with thread-per-connection, driven by {@code clients} client threads that do
 * {@code rounds} one-byte round trips each; then, by {@code mode}:
 * <ul>
 *   <li>{@code idle}: prints {@code WORKED} and stays alive (its observer reads it and kills it);
 *   <li>{@code jfr}: waits, with a JFR stream of its own, until a {@code coio.CarrierStatistics} event with
 *       {@code parks > 0} was recorded, prints {@code SEEN}, and exits (the -XX:StartFlightRecording file is
 *       written at exit);
 *   <li>{@code blocked}: one more thread blocks reading a socket that never gets data (60 s socket timeout); the
 *       app prints {@code BLOCKER <park blocker of that thread, as toString>} and stays alive.
 * </ul>
 * No coio imports: the app sees coio only through the JDK's own tools.
 */
public final class ObservedApp {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int clients = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        try (ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> accept(server, clients), "acceptor");
            acceptor.start();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> roundTrips(server.getLocalPort(), rounds), "client-" + i);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            acceptor.join();
            System.out.println("WORKED");
            switch (mode) {
                case "idle" -> parkForever();
                case "jfr" -> awaitOwnStatisticsEvent();
                case "blocked" -> blockOneReader(server);
                default -> throw new IllegalArgumentException(mode);
            }
        }
    }

    private static void accept(ServerSocket server, int count) {
        List<Thread> connections = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket s = server.accept();
                Thread t = new Thread(() -> echo(s), "conn-" + i);
                t.start();
                connections.add(t);
            }
            for (Thread t : connections) {
                t.join(); // WORKED means every thread of the work has ended
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void roundTrips(int port, int rounds) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            for (int i = 0; i < rounds; i++) {
                s.getOutputStream().write(i & 0x7f);
                if (s.getInputStream().read() != (i & 0x7f)) {
                    throw new IllegalStateException("echo mismatch");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void parkForever() {
        for (;;) {
            LockSupport.park();
        }
    }

    private static void awaitOwnStatisticsEvent() throws InterruptedException {
        CountDownLatch seen = new CountDownLatch(1);
        try (jdk.jfr.consumer.RecordingStream rs = new jdk.jfr.consumer.RecordingStream()) {
            rs.enable("coio.CarrierStatistics").withPeriod(java.time.Duration.ofMillis(200));
            rs.onEvent("coio.CarrierStatistics", e -> {
                if (e.getLong("parks") > 0) {
                    seen.countDown();
                }
            });
            rs.startAsync();
            if (!seen.await(60, TimeUnit.SECONDS)) {
                System.out.println("NOT SEEN");
                System.exit(2);
            }
        }
        System.out.println("SEEN");
    }

    private static void blockOneReader(ServerSocket server) throws Exception {
        AtomicReference<Thread> reader = new AtomicReference<>();
        Socket quiet = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket peer = server.accept(); // never writes
        Thread t = new Thread(() -> {
            reader.set(Thread.currentThread()); // the thread that really parks (under coio: the coroutine)
            try {
                quiet.setSoTimeout(60_000);
                quiet.getInputStream().read();
            } catch (IOException e) {
                System.out.println("READER ENDED " + e);
            }
        }, "quiet-reader");
        t.start();
        Object blocker = null;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (blocker == null && System.nanoTime() < end) {
            Thread r = reader.get();
            blocker = r == null ? null : LockSupport.getBlocker(r);
            if (blocker == null) {
                Thread.onSpinWait();
                Thread.sleep(5);
            }
        }
        System.out.println("BLOCKER " + blocker);
        System.out.println("PID " + ProcessHandle.current().pid());
        parkForever();
        peer.close();
    }
}
