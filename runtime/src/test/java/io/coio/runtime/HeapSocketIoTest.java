package io.coio.runtime;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * coio's own socket reads and writes on the app's array ({@link HeapSocketIo}) return and throw what the JDK's
 * {@code NioSocketImpl.tryRead}/{@code tryWrite} do — the same {@code IOStatus} codes, the same exception classes
 * and messages — on real loopback sockets in non-blocking mode; the JDK's own answer for the same situation is taken
 * on a second, identical pair through {@code SocketChannel}, which reaches the same {@code SocketDispatcher} natives.
 */
@Timeout(60)
class HeapSocketIoTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A connected pair; {@code near} non-blocking (as the JDK makes a coroutine's socket). */
    private record Pair(SocketChannel near, SocketChannel far, int fd) implements AutoCloseable {
        static Pair open() throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
                SocketChannel near = SocketChannel.open(server.getLocalAddress());
                SocketChannel far = server.accept();
                near.configureBlocking(false);
                return new Pair(near, far, fdVal(near));
            }
        }

        /** The far end closes with SO_LINGER 0: a reset, processed by the near end before close returns (loopback). */
        void resetByFar() throws IOException {
            far.setOption(StandardSocketOptions.SO_LINGER, 0);
            far.close();
        }

        @Override
        public void close() throws IOException {
            near.close();
            far.close();
        }
    }

    private static int fdVal(SocketChannel ch) throws Exception {
        java.lang.reflect.Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        m.setAccessible(true);
        return (int) m.invoke(ch);
    }

    private static final HeapSocketIo.Downcalls io = new HeapSocketIo.Downcalls();

    @Test
    @DisplayName("read: nothing yet is UNAVAILABLE (-2); data lands at the offset; end of stream is -1")
    void readsAsTheJdkDoes() throws Exception {
        try (Pair p = Pair.open()) {
            byte[] b = new byte[16];
            Arrays.fill(b, (byte) '.');
            assertEquals(-2, io.io(p.fd, false, b, 3, 10), "EAGAIN on an empty non-blocking socket");
            p.far.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(5, readWhenReady(p, b, 3, 10));
            assertEquals("...hello........", new String(b, StandardCharsets.US_ASCII), "only b[3, 8) written");
            p.far.shutdownOutput();
            assertEquals(-1, readWhenReady(p, b, 0, 16), "a FIN is the end of the stream");
        }
    }

    @Test
    @DisplayName("write: the array's slice arrives intact; a full send buffer is UNAVAILABLE (-2), never a partial loss")
    void writesAsTheJdkDoes() throws Exception {
        try (Pair p = Pair.open()) {
            byte[] b = "0123456789".getBytes(StandardCharsets.US_ASCII);
            assertEquals(4, io.io(p.fd, true, b, 2, 4));
            ByteBuffer got = ByteBuffer.allocate(4);
            while (got.hasRemaining()) {
                p.far.read(got);
            }
            assertEquals("2345", new String(got.array(), StandardCharsets.US_ASCII));

            // fill the socket's buffers: the peer reads nothing until the write would block
            byte[] big = new byte[64 * 1024];
            new java.util.Random(7).nextBytes(big);
            long sent = 0;
            int n;
            while ((n = io.io(p.fd, true, big, 0, big.length)) > 0) {
                sent += n;
            }
            assertEquals(-2, n, "EAGAIN once the buffers are full");
            assertTrue(sent > 0);
            // the peer drains: every byte sent arrives, in order
            ByteBuffer drain = ByteBuffer.allocate(big.length);
            long received = 0;
            while (received < sent) {
                drain.clear();
                int r = p.far.read(drain);
                for (int i = 0; i < r; i++) {
                    assertEquals(big[(int) ((received + i) % big.length)], drain.get(i), "byte " + (received + i));
                }
                received += r;
            }
        }
    }

    @Test
    @DisplayName("a reset read throws sun.net.ConnectionResetException(\"Connection reset\"), as the JDK's read0")
    void aResetReadThrowsTheJdksException() throws Exception {
        Throwable jdk;
        try (Pair p = Pair.open()) {
            p.resetByFar();
            jdk = assertThrows(IOException.class, () -> p.near.read(ByteBuffer.allocate(8)));
        }
        try (Pair p = Pair.open()) {
            p.resetByFar();
            IOException coio = assertThrows(IOException.class, () -> io.io(p.fd, false, new byte[8], 0, 8));
            // the type SocketDispatcher.read0 throws, which NioSocketImpl and SocketChannelImpl catch and turn into
            // the SocketException("Connection reset") the app sees (the JDK's answer above, through SocketChannel)
            assertEquals("sun.net.ConnectionResetException", coio.getClass().getName());
            assertEquals(java.net.SocketException.class, jdk.getClass());
            assertEquals(jdk.getMessage(), coio.getMessage());
        }
    }

    @Test
    @DisplayName("writes to a reset peer throw IOException with the C library's text, as the JDK's write0: reset, then broken pipe")
    void writesToAResetPeerThrowTheJdksMessages() throws Exception {
        String[] jdk = new String[2];
        try (Pair p = Pair.open()) {
            p.resetByFar();
            for (int i = 0; i < 2; i++) {
                IOException e = assertThrows(IOException.class, () -> p.near.write(ByteBuffer.wrap(new byte[8])));
                assertEquals(IOException.class, e.getClass());
                jdk[i] = e.getMessage();
            }
        }
        assertEquals("Connection reset by peer", jdk[0]);
        assertEquals("Broken pipe", jdk[1]);
        try (Pair p = Pair.open()) {
            p.resetByFar();
            for (int i = 0; i < 2; i++) {
                IOException e = assertThrows(IOException.class, () -> io.io(p.fd, true, new byte[8], 0, 8));
                assertEquals(IOException.class, e.getClass());
                assertEquals(jdk[i], e.getMessage(), "write " + (i + 1) + " after the reset");
            }
        }
    }

    @Test
    @DisplayName("a link answers null until linked: allowing makes the coio-link thread in the installer's group, the first caller starts it")
    void theFirstCallerStartsTheLinkOnAThreadOfCoios() throws Exception {
        ThreadGroup coios = new ThreadGroup("coio-test-group");
        AtomicReference<Object> first = new AtomicReference<>();
        HeapSocketIo.Link link = new HeapSocketIo.Link();
        assertEquals(null, link.downcallsOrStart(), "not allowed yet (the agent's install is not done)");
        assertEquals(null, link.thread(), "no linking thread before it is allowed");
        Thread installer = Thread.ofPlatform().group(coios).unstarted(link::allow); // the agent's installing thread
        installer.start();
        installer.join();
        Thread linking = link.thread();
        assertNotNull(linking, "made when allowed");
        assertEquals(Thread.State.NEW, linking.getState(), "made, not started, when allowed");
        assertEquals(coios, linking.getThreadGroup(), "in the installing thread's group");
        Thread caller = Thread.ofPlatform().unstarted(() -> first.set(link.downcallsOrStart()));
        caller.start();
        caller.join();
        assertEquals(null, first.get(), "not linked yet: the JDK does this attempt");
        assertTrue(linking.getState() != Thread.State.NEW, "the first caller started the link");
        assertEquals("coio-link", linking.getName());
        assertTrue(linking.isDaemon() && !linking.isVirtual());
        linking.join(TimeUnit.SECONDS.toMillis(30));
        HeapSocketIo.Downcalls linked = link.downcallsOrStart();
        assertNotNull(linked, "linked once coio-link has ended");
        assertTrue(link.thread() == linking, "one link, not one per caller");
        try (Pair p = Pair.open()) {
            assertEquals(-2, linked.io(p.fd, false, new byte[4], 0, 4), "the linked recv answers EAGAIN on an empty socket");
        }
    }

    @Test
    @DisplayName("a link that fails is said once on stderr; the JDK keeps making every attempt and no second link starts")
    void aFailedLinkIsSaidOnceAndTheJdkKeepsMakingTheAttempts() throws Exception {
        HeapSocketIo.Link link = new HeapSocketIo.Link(() -> {
            throw new IllegalStateException("no recv in this C library");
        });
        link.allow();
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true));
        try {
            assertEquals(null, link.downcallsOrStart(), "the first attempt starts the link and is the JDK's");
            link.thread().join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(null, link.downcallsOrStart(), "failed: the JDK's again");
            assertEquals(null, link.downcallsOrStart());
        } finally {
            System.setErr(err);
        }
        assertEquals("coio: cannot link recv/send for socket I/O on the app's arrays (java.lang.IllegalStateException:"
                + " no recv in this C library); the JDK's copy through a direct buffer stays in use."
                + System.lineSeparator(), said.toString(), "said once");
        assertEquals(Thread.State.TERMINATED, link.thread().getState(), "one link thread, not restarted");
    }

    private int readWhenReady(Pair p, byte[] b, int off, int len) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n;
        while ((n = io.io(p.fd, false, b, off, len)) == -2 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // loopback: the bytes are there within microseconds
        }
        return n;
    }
}
