package example.apps;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * A blocking DatagramChannel echo in a thread the app starts, next to a ticker thread that keeps
 * printing while the receiver waits. No coio imports.
 *
 * <p>Prints {@code udp port <p>}, {@code receiver virtual=<b> thread=<t>}, then before each blocking
 * receive {@code receiving <n>}; answers each datagram with {@code echo:<payload>} to its sender;
 * {@code bye} ends the receiver. The ticker prints {@code tick <n>} every 20 ms until the receiver is
 * done (at most 30 s).
 */
public final class DatagramEchoApp {
    private static volatile boolean done;

    public static void main(String[] args) throws Exception {
        Thread receiver = new Thread(DatagramEchoApp::receive, "udp-receiver");
        Thread ticker = new Thread(DatagramEchoApp::tick, "ticker");
        receiver.start();
        ticker.start();
        receiver.join();
        ticker.join();
        System.out.println("receiver done");
    }

    private static void receive() {
        Thread me = JvmThread.current();
        System.out.println("receiver virtual=" + me.isVirtual() + " thread=" + me);
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            System.out.println("udp port " + ((InetSocketAddress) ch.getLocalAddress()).getPort());
            ByteBuffer buf = ByteBuffer.allocate(2048);
            for (int n = 1; ; n++) {
                buf.clear();
                System.out.println("receiving " + n);
                SocketAddress from = ch.receive(buf);
                buf.flip();
                String text = StandardCharsets.UTF_8.decode(buf).toString();
                if (text.equals("bye")) {
                    break;
                }
                ch.send(StandardCharsets.UTF_8.encode("echo:" + text), from);
            }
        } catch (IOException e) {
            System.out.println("receiver error: " + e);
        } finally {
            done = true;
        }
    }

    private static void tick() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (int n = 1; !done && System.nanoTime() < deadline; n++) {
            System.out.println("tick " + n);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
