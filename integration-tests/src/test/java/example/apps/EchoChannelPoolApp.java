package example.apps;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordinary echo server on blocking NIO: ServerSocketChannel.accept() on main, each SocketChannel
 * handled by a task on {@code Executors.newFixedThreadPool(4000)}. No coio imports.
 *
 * <p>Prints {@code listening on <port>}; for the first few connections prints
 * {@code handler <n> virtual=<bool> thread=<Thread.currentThread()>} from inside the pool worker.
 */
public final class EchoChannelPoolApp {
    private static final int REPORTED_HANDLERS = 5;
    private static final AtomicInteger HANDLERS = new AtomicInteger();

    public static void main(String[] args) throws IOException {
        System.out.println("coio.mode=" + System.getProperty("coio.mode")
                + " coio.carriers=" + System.getProperty("coio.carriers"));
        ExecutorService pool = Executors.newFixedThreadPool(4000);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            System.out.println("listening on " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            while (true) {
                SocketChannel ch = server.accept();
                pool.execute(() -> handle(ch));
            }
        }
    }

    private static void handle(SocketChannel ch) {
        int n = HANDLERS.incrementAndGet();
        if (n <= REPORTED_HANDLERS) {
            Thread me = JvmThread.current();
            System.out.println("handler " + n + " virtual=" + me.isVirtual() + " thread=" + me);
        }
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try (ch) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                buf.clear();
            }
        } catch (IOException e) {
            System.out.println("handler error: " + e);
        }
    }
}
