package io.coio.api;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A coroutine inside a class initializer cannot yield: coio's waits then block the thread; yield says why. */
class PinnedCoroutineTest {
    static SocketChannel channel;

    static final class PollsInInitializer {
        static final int READY;
        static final int SLEPT;

        static {
            long t0 = System.nanoTime();
            Coio.sleep(20);
            SLEPT = (int) ((System.nanoTime() - t0) / 1_000_000);
            READY = Coio.poll(new PollFd(channel, Coio.POLLIN), 60_000);
        }
    }

    static final class YieldsInInitializer {
        static final String ERROR;

        static {
            String e = "none";
            try {
                Coroutine.yield();
            } catch (IllegalStateException x) {
                e = x.getMessage();
            }
            ERROR = e;
        }
    }

    @Test
    void pollAndSleepInAClassInitializerBlockInsteadOfYielding() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel peer = server.accept()) {
            client.configureBlocking(false);
            channel = client;
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(100); // after the initializer started polling; the poll has a 60 s bound
                    peer.write(ByteBuffer.wrap(new byte[] {1}));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            int[] got = new int[2];
            Coroutine co = Coroutine.create("initializer", () -> {
                got[0] = PollsInInitializer.READY;
                got[1] = PollsInInitializer.SLEPT;
            });
            co.resume();
            // It could not yield: the whole wait happened inside resume().
            assertTrue(co.isDone());
            assertEquals(1, got[0]);
            assertTrue(got[1] >= 20, "slept " + got[1] + " ms");
            writer.join(60_000);
        }
    }

    @Test
    void yieldInAClassInitializerFailsWithAClearMessage() {
        String[] error = new String[1];
        Coroutine co = Coroutine.create("yields", () -> error[0] = YieldsInInitializer.ERROR);
        co.resume();
        assertTrue(co.isDone());
        assertTrue(error[0].startsWith("coio: the coroutine cannot yield here (Pinned: NATIVE"), error[0]);
    }
}
