package io.coio.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Coio.poll (co_poll) on real loopback sockets, and the event loop that continues waiting coroutines. */
class PollTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Returns {client, server-side} of one loopback connection. */
    private SocketChannel[] pair() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        open.add(server);
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        open.add(client);
        open.add(accepted);
        client.configureBlocking(false);
        return new SocketChannel[] {client, accepted};
    }

    @Test
    void pollYieldsToTheResumerAndTheEventLoopContinuesTheCoroutineWhenDataArrives() throws Exception {
        SocketChannel[] p = pair();
        AtomicReference<String> got = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Coroutine reader = Coroutine.create("reader", () -> {
            try {
                PollFd pf = new PollFd(p[0], Coio.POLLIN);
                int n = Coio.poll(pf, 60_000);
                ByteBuffer b = ByteBuffer.allocate(16);
                p[0].read(b);
                got.set(n + " " + (pf.revents() & Coio.POLLIN) + " " + new String(b.array(), 0, b.position()));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertNull(reader.resume());
        // co_poll gave control back: the coroutine waits and main runs on.
        assertEquals(Coroutine.State.WAITING, reader.state());
        p[1].write(ByteBuffer.wrap("hi".getBytes()));
        Coio.eventLoop(() -> reader.isDone() ? -1 : 0);
        assertNull(failure.get());
        assertEquals("1 1 hi", got.get());
    }

    @Test
    void pollTimesOutWithZeroAndNoRevents() throws Exception {
        SocketChannel[] p = pair();
        int[] result = {-1, -1};
        Coroutine co = Coroutine.create("timeout", () -> {
            PollFd pf = new PollFd(p[0], Coio.POLLIN);
            result[0] = Coio.poll(pf, 50);
            result[1] = pf.revents();
        });
        co.resume();
        assertEquals(Coroutine.State.WAITING, co.state());
        Coio.eventLoop(() -> co.isDone() ? -1 : 0);
        assertEquals(0, result[0]);
        assertEquals(0, result[1]);
    }

    @Test
    void onePollOverSeveralConnectionsReportsExactlyTheReadyOnes() throws Exception {
        SocketChannel[] a = pair();
        SocketChannel[] b = pair();
        SocketChannel[] c = pair();
        int[] revents = new int[3];
        int[] count = {-1};
        Coroutine co = Coroutine.create("multi", () -> {
            PollFd[] fds = {new PollFd(a[0], Coio.POLLIN), new PollFd(b[0], Coio.POLLIN), new PollFd(c[0], Coio.POLLIN)};
            count[0] = Coio.poll(fds, 60_000);
            for (int i = 0; i < 3; i++) {
                revents[i] = fds[i].revents();
            }
        });
        co.resume();
        b[1].write(ByteBuffer.wrap(new byte[] {1}));
        Coio.eventLoop(() -> co.isDone() ? -1 : 0);
        assertEquals(1, count[0]);
        assertEquals(0, revents[0]);
        assertEquals(Coio.POLLIN, revents[1] & Coio.POLLIN);
        assertEquals(0, revents[2]);
    }

    @Test
    void pollReportsWritableAndHangUp() throws Exception {
        SocketChannel[] p = pair();
        p[1].close();
        int[] revents = new int[2];
        Coroutine co = Coroutine.create("out", () -> {
            PollFd w = new PollFd(p[0], Coio.POLLOUT);
            Coio.poll(w, 60_000);
            revents[0] = w.revents();
            PollFd r = new PollFd(p[0], Coio.POLLIN);
            Coio.poll(r, 60_000);
            revents[1] = r.revents();
        });
        co.resume();
        Coio.eventLoop(() -> co.isDone() ? -1 : 0);
        assertTrue((revents[0] & Coio.POLLOUT) != 0, Integer.toHexString(revents[0]));
        assertTrue((revents[1] & Coio.POLLIN) != 0, "EOF is readable: " + Integer.toHexString(revents[1]));
    }

    @Test
    void onAPlatformThreadOutsideCoroutinesPollBlocksUntilReady() throws Exception {
        SocketChannel[] p = pair();
        Thread writer = new Thread(() -> {
            try {
                Coio.sleep(100);
                p[1].write(ByteBuffer.wrap(new byte[] {7}));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        PollFd pf = new PollFd(p[0], Coio.POLLIN);
        assertEquals(1, Coio.poll(pf, 60_000));
        assertTrue((pf.revents() & Coio.POLLIN) != 0);
        writer.join(60_000);
    }

    @Test
    void aBadFdIsReportedAsPollNval() {
        PollFd pf = new PollFd(1_000_000, Coio.POLLIN);
        int[] n = {-1};
        Coroutine co = Coroutine.create("nval", () -> n[0] = Coio.poll(pf, 60_000));
        co.resume();
        Coio.eventLoop(() -> co.isDone() ? -1 : 0);
        assertEquals(1, n[0]);
        assertEquals(Coio.POLLNVAL, pf.revents() & Coio.POLLNVAL);
    }

    @Test
    void sleepingCoroutinesInterleaveOnOneThreadInDeadlineOrder() {
        List<String> order = new ArrayList<>();
        Coroutine slow = Coroutine.create("slow", () -> {
            Coio.sleep(300);
            order.add("slow");
        });
        Coroutine fast = Coroutine.create("fast", () -> {
            Coio.sleep(20);
            order.add("fast");
        });
        slow.resume();
        fast.resume();
        order.add("main");
        Coio.eventLoop(() -> slow.isDone() && fast.isDone() ? -1 : 0);
        assertEquals(List.of("main", "fast", "slow"), order);
    }
}
