package io.coio.examples;

/** {@link NettyEchoServer}: the async native-epoll baseline behaves like the blocking servers. */
class NettyEchoServerTest extends EchoServerContract {

    @Override
    Started start() throws Exception {
        NettyEchoServer server = new NettyEchoServer(LOOPBACK, 0, 2); // bound on return
        return new Started() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
