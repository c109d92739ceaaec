package io.coio.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The NIO-channels flavour of a blocking echo server: a {@link ServerSocketChannel} in (default)
 * blocking mode, each accepted {@link SocketChannel} handed to a fixed thread pool, and blocking
 * {@code read}/{@code write} with a {@link ByteBuffer}.
 *
 * <p>A fixed pool is how many teams cap thread usage; its price is that it serves at most
 * {@code --pool} connections at once (default 4000), later ones wait in the pool's queue until an
 * earlier connection closes. Under the coio agent the pool's workers are coroutines, not OS threads.
 *
 * <pre>
 *   java -cp coio-examples.jar io.coio.examples.ChannelEchoServer [port] [--pool N] [--bind ADDR]
 * </pre>
 */
public final class ChannelEchoServer implements AutoCloseable {

    static final int DEFAULT_POOL_SIZE = 4000;

    private final ServerSocketChannel serverChannel;
    private final ExecutorService pool;

    public ChannelEchoServer(InetAddress bind, int port, int poolSize) throws IOException {
        this.serverChannel = ServerSocketChannel.open();
        serverChannel.bind(new InetSocketAddress(bind, port), EchoServer.BACKLOG);
        this.pool = Executors.newFixedThreadPool(poolSize);
    }

    public int port() throws IOException {
        return ((InetSocketAddress) serverChannel.getLocalAddress()).getPort();
    }

    /** Accepts connections until {@link #close()} is called. */
    public void serve() throws IOException {
        while (true) {
            SocketChannel channel;
            try {
                channel = serverChannel.accept(); // blocking mode: waits for the next client
            } catch (ClosedChannelException e) {
                return; // close() was called: normal shutdown
            }
            pool.execute(() -> echo(channel));
        }
    }

    private static void echo(SocketChannel channel) {
        try (channel) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) != -1) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            System.err.println("channel-echo: connection error: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        serverChannel.close();
        pool.shutdown(); // running handlers finish when their clients disconnect
    }

    public static void main(String[] args) throws IOException {
        ServerArgs parsed = ServerArgs.parse("ChannelEchoServer [port] [--pool N] [--bind ADDR]",
                args, List.of(), List.of("--pool"));
        try (ChannelEchoServer server = new ChannelEchoServer(parsed.bind(), parsed.port(),
                parsed.intOption("--pool", DEFAULT_POOL_SIZE))) {
            System.out.println("listening on " + server.port());
            System.out.flush();
            server.serve();
        }
    }
}
