package example.apps;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A thread-per-connection echo server on NIO channels. No coio imports. Each connection's handler first writes one
 * byte ({@code R}: ready), then echoes.
 * <ul>
 *   <li>{@code blocking}: blocking {@code SocketChannel.read/write} with a heap {@code ByteBuffer}
 *   <li>{@code nonblocking}: the first message is read in blocking mode (its wait registers the socket with the
 *       carrier's epoll), then the channel is switched to non-blocking mode and polled: a read that finds nothing
 *       returns 0 and the handler yields and tries again; writes likewise
 * </ul>
 * Prints {@code listening on <port>}.
 */
public final class ChannelEchoApp {

    public static void main(String[] args) throws IOException {
        boolean blocking = args[0].equals("blocking");
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            System.out.println("listening on " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            while (true) {
                SocketChannel ch = server.accept();
                new Thread(() -> handle(ch, blocking)).start();
            }
        }
    }

    private static void handle(SocketChannel ch, boolean blocking) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try (ch) {
            writeFully(ch, ByteBuffer.wrap(new byte[] {'R'}));
            if (!blocking) {
                if (ch.read(buf) < 0) { // blocking mode: the client sends only after it got R, so this read waits
                    return;
                }
                echoBack(ch, buf);
                ch.configureBlocking(false);
            }
            int n;
            while ((n = ch.read(buf)) >= 0) {
                if (n == 0) {
                    Thread.yield(); // non-blocking and nothing there yet
                    continue;
                }
                echoBack(ch, buf);
            }
        } catch (IOException e) {
            System.out.println("handler error: " + e);
        }
    }

    private static void echoBack(SocketChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        writeFully(ch, buf);
        buf.clear();
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) {
                Thread.yield(); // non-blocking and the send buffer full
            }
        }
    }
}
