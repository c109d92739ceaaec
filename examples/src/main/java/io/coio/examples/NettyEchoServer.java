package io.coio.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The hand-written asynchronous baseline: a Netty 4.2 native-epoll echo server. This is what one
 * writes today to serve many connections on few threads without coio, at the price of callback-style code.
 *
 * <p>It uses its own, un-relocated Netty from Maven. Run under the coio agent (whose Netty is
 * relocated) it must keep working unchanged: its event-loop threads stay platform threads.
 *
 * <pre>
 *   java -cp coio-examples.jar io.coio.examples.NettyEchoServer [port] [threads] [--bind ADDR]
 * </pre>
 * {@code threads} is the number of event loops (default: number of CPUs). One group both accepts
 * and serves, so the server's I/O thread count is exactly {@code threads}, like coio's {@code carriers=N}.
 */
public final class NettyEchoServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel serverChannel;

    public NettyEchoServer(InetAddress bind, int port, int threads) throws InterruptedException {
        this.group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, EchoServer.BACKLOG)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(EchoHandler.INSTANCE);
                        }
                    });
            this.serverChannel = bootstrap.bind(new InetSocketAddress(bind, port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Blocks until the server channel is closed. */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Writes every inbound buffer back; flushes once per read batch rather than per buffer. */
    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg); // the buffer is released once written
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("netty-echo: connection error: " + cause);
            ctx.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        ServerArgs parsed = ServerArgs.parse("NettyEchoServer [port] [threads] [--bind ADDR]", args);
        int threads = parsed.positionalInt(1, Runtime.getRuntime().availableProcessors());
        try (NettyEchoServer server = new NettyEchoServer(parsed.bind(), parsed.port(), threads)) {
            System.out.println("listening on " + server.port());
            System.out.flush();
            server.awaitClose();
        }
    }
}
