package io.coio.examples;

import java.io.IOException;

/** {@link ChannelEchoServer}: blocking SocketChannels on a fixed thread pool. */
class ChannelEchoServerTest extends EchoServerContract {

    @Override
    Started start() throws Exception {
        ChannelEchoServer server = new ChannelEchoServer(LOOPBACK, 0, 64);
        Thread acceptor = Thread.ofPlatform().name("test-acceptor").start(() -> {
            try {
                server.serve();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        int port = server.port();
        return new Started() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void close() throws IOException {
                server.close();
                join(acceptor);
            }
        };
    }
}
