package example.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordinary thread-per-connection echo server: java.net.ServerSocket, one {@code new Thread} per
 * accepted Socket, blocking InputStream/OutputStream. No coio imports.
 *
 * <p>Prints {@code listening on <port>}; for the first few connections prints
 * {@code handler <n> virtual=<bool> thread=<Thread.currentThread()>} from inside the handler thread.
 */
public final class EchoThreadPerConnectionApp {
    private static final int REPORTED_HANDLERS = 5;
    private static final AtomicInteger HANDLERS = new AtomicInteger();

    public static void main(String[] args) throws IOException {
        System.out.println("coio.mode=" + System.getProperty("coio.mode")
                + " coio.carriers=" + System.getProperty("coio.carriers"));
        try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on " + server.getLocalPort());
            while (true) {
                Socket s = server.accept();
                new Thread(() -> handle(s)).start();
            }
        }
    }

    private static void handle(Socket s) {
        int n = HANDLERS.incrementAndGet();
        if (n <= REPORTED_HANDLERS) {
            Thread me = JvmThread.current();
            System.out.println("handler " + n + " virtual=" + me.isVirtual() + " thread=" + me);
        }
        byte[] buf = new byte[8192];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int r;
            while ((r = in.read(buf)) >= 0) {
                out.write(buf, 0, r);
            }
        } catch (IOException e) {
            System.out.println("handler error: " + e);
        }
    }
}
