package io.coio.examples;

/** {@link EchoServer} {@code --virtual}: the same handler on JDK virtual threads. */
class VirtualEchoServerTest extends EchoServerContract {

    @Override
    Started start() throws Exception {
        return EchoServerTest.startEchoServer(true);
    }
}
