package io.coio.examples;

import java.io.IOException;

/** {@link EchoServer}: one platform thread per connection. */
class EchoServerTest extends EchoServerContract {

    @Override
    Started start() throws Exception {
        return startEchoServer(false);
    }

    static Started startEchoServer(boolean virtual) throws Exception {
        EchoServer server = new EchoServer(LOOPBACK, 0, virtual); // bound (and so accepting) on return
        Thread acceptor = Thread.ofPlatform().name("test-acceptor").start(() -> {
            try {
                server.serve();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        return new Started() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public void close() throws IOException {
                server.close();
                join(acceptor);
            }
        };
    }
}
