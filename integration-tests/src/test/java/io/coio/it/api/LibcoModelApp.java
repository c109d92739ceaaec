package io.coio.it.api;

import io.coio.api.CoCond;
import io.coio.api.CoLocal;
import io.coio.api.Coio;
import io.coio.api.Coroutine;
import io.coio.api.PollFd;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A program written against libco's model (create/resume/yield, cond, poll, locals, hook switch) through
 * coio's API, run by {@link ApiUnderAgentTest} in a JVM with the agent. Each scenario prints result lines
 * on stdout ("scenario: key=value ...") and exits 0, or prints "FAIL ..." and exits 1.
 */
public final class LibcoModelApp {
    private LibcoModelApp() {
    }

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "hooked-io" -> hookedIo();
                case "hooks-off" -> hooksOff();
                case "model" -> model();
                case "share" -> share(Integer.parseInt(args[1]));
                case "pinned" -> pinned(Integer.parseInt(args[1]));
                case "pinned-explicit" -> pinnedExplicit();
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.flush();
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("FAIL " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Returns {client, accepted} of a loopback java.net.Socket connection. */
    private static Socket[] pair(ServerSocket server) throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        return new Socket[] {client, accepted};
    }

    /** A blocking java.net.Socket read in a coroutine yields to the resumer; the event loop continues it. */
    private static void hookedIo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // From the platform main thread.
            Socket[] p = pair(server);
            int[] got = {-1};
            Coroutine reader = Coroutine.create("reader", () -> {
                try {
                    got[0] = p[1].getInputStream().read();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Object r = reader.resume();
            System.out.println("hooked-io: main resume returned=" + r + " state=" + reader.state());
            p[0].getOutputStream().write(42);
            Coio.eventLoop(() -> reader.isDone() ? -1 : 0);
            System.out.println("hooked-io: main read=" + got[0]);
            // From a thread the agent converted.
            AtomicReference<String> line = new AtomicReference<>();
            Socket[] q = pair(server);
            Thread converted = new Thread(() -> {
                int[] got2 = {-1};
                Coroutine r2 = Coroutine.create("reader2", () -> {
                    try {
                        got2[0] = q[1].getInputStream().read();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                r2.resume();
                String state = r2.state().toString();
                try {
                    q[0].getOutputStream().write(43);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                Coio.eventLoop(() -> r2.isDone() ? -1 : 0);
                line.set("hooked-io: converted virtual=" + example.apps.JvmThread.current().isVirtual() + " state=" + state
                        + " read=" + got2[0]);
            });
            converted.start();
            converted.join(60_000);
            System.out.println(line.get());
        }
    }

    /** With hooks off, the same read blocks the OS thread that runs the coroutine: resume returns only when it ends. */
    private static void hooksOff() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Socket[] p = pair(server);
            int[] got = {-1};
            boolean[] hooksInside = new boolean[2];
            Coroutine reader = Coroutine.create("unhooked", () -> {
                hooksInside[0] = Coroutine.hooksEnabled();
                Coroutine.disableHooks();
                hooksInside[1] = Coroutine.hooksEnabled();
                try {
                    got[0] = p[1].getInputStream().read();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            CountDownLatch resuming = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                try {
                    resuming.await();
                    Thread.sleep(300); // let main block inside resume(); the read cannot complete before this write
                    p[0].getOutputStream().write(7);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            resuming.countDown();
            reader.resume();
            System.out.println("hooks-off: state-after-resume=" + reader.state() + " read=" + got[0] + " hooks-before="
                    + hooksInside[0] + " hooks-after=" + hooksInside[1] + " blocking-waits=" + Coio.hooksOffBlockingWaits());
            writer.join(60_000);
        }
    }

    /** The held-out shape: generator, CoCond producer/consumer, CoLocal, Coio.poll over several sockets. */
    private static void model() throws Exception {
        // Generator: values both ways.
        Coroutine gen = Coroutine.create("gen", first -> {
            int sum = (Integer) first;
            for (;;) {
                sum += (Integer) Coroutine.yield(sum);
            }
        });
        List<Object> sums = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            sums.add(gen.resume(i));
        }
        System.out.println("model: generator=" + sums);
        // Cond + locals + poll.
        CoCond cond = new CoCond();
        CoLocal<String> who = new CoLocal<>();
        List<String> log = new ArrayList<>();
        int[] queue = {0};
        Coroutine consumer = Coroutine.create("consumer", () -> {
            who.set("consumer");
            int taken = 0;
            while (taken < 3) {
                if (queue[0] == 0) {
                    cond.await(-1);
                    continue;
                }
                queue[0]--;
                taken++;
                log.add(who.get() + "-" + taken);
            }
        });
        Coroutine producer = Coroutine.create("producer", () -> {
            who.set("producer");
            for (int i = 1; i <= 3; i++) {
                queue[0]++;
                log.add(who.get() + "-" + i);
                cond.signal();
                Coio.sleep(10);
            }
        });
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SocketChannel[] c = new SocketChannel[3];
            Socket[] peers = new Socket[3];
            for (int i = 0; i < 3; i++) {
                c[i] = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                peers[i] = server.accept();
            }
            int[] polled = new int[4];
            Coroutine poller = Coroutine.create("poller", () -> {
                PollFd[] fds = {new PollFd(c[0], Coio.POLLIN), new PollFd(c[1], Coio.POLLIN), new PollFd(c[2], Coio.POLLIN)};
                polled[0] = Coio.poll(fds, 60_000);
                for (int i = 0; i < 3; i++) {
                    polled[i + 1] = fds[i].revents();
                }
            });
            consumer.resume();
            producer.resume();
            poller.resume();
            peers[2].getOutputStream().write(1);
            Coio.eventLoop(() -> consumer.isDone() && producer.isDone() && poller.isDone() ? -1 : 0);
            System.out.println("model: log=" + log);
            System.out.println("model: poll=" + Arrays.toString(polled));
            for (int i = 0; i < 3; i++) {
                c[i].close();
                peers[i].close();
            }
        }
    }

    /**
     * carriers=1: converted threads (blocking echo server and clients) and explicit coroutines (clients
     * using hooked blocking sockets and Coio.poll) share the one carrier; every round trip is verified.
     */
    private static void share(int each) throws Exception {
        ServerSocket server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                for (;;) {
                    Socket s = server.accept();
                    new Thread(() -> echo(s)).start();
                }
            } catch (IOException closed) {
                // the server is closed at the end
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        int port = server.getLocalPort();
        int rounds = 20;
        AtomicInteger threadRounds = new AtomicInteger();
        AtomicInteger coroutineRounds = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            int seed = i;
            Thread t = new Thread(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    roundTrips(s.getInputStream(), s.getOutputStream(), new Random(seed), rounds, threadRounds);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
        }
        Thread host = new Thread(() -> {
            List<Coroutine> cos = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                int seed = 1000 + i;
                boolean viaPoll = i % 2 == 0;
                Coroutine co = Coroutine.create("client-" + i, () -> {
                    try {
                        if (viaPoll) {
                            pollRoundTrips(port, new Random(seed), rounds, coroutineRounds);
                        } else {
                            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                                roundTrips(s.getInputStream(), s.getOutputStream(), new Random(seed), rounds, coroutineRounds);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                co.resume();
                cos.add(co);
            }
            Coio.eventLoop(() -> cos.stream().allMatch(Coroutine::isDone) ? -1 : 0);
        });
        threads.add(host);
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(120_000);
        }
        server.close();
        if (failure.get() != null) {
            throw new AssertionError("a client failed", failure.get());
        }
        System.out.println("share: thread-rounds=" + threadRounds.get() + " coroutine-rounds=" + coroutineRounds.get());
    }

    private static void echo(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException closed) {
            // the client went away
        }
    }

    private static void roundTrips(InputStream in, OutputStream out, Random r, int rounds, AtomicInteger count) throws IOException {
        DataInputStream din = new DataInputStream(in);
        for (int i = 0; i < rounds; i++) {
            byte[] sent = new byte[1 + r.nextInt(4096)];
            r.nextBytes(sent);
            out.write(sent);
            byte[] back = new byte[sent.length];
            din.readFully(back);
            check(Arrays.equals(sent, back), "echoed bytes differ");
            count.incrementAndGet();
        }
    }

    private static void pollRoundTrips(int port, Random r, int rounds, AtomicInteger count) throws IOException {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            ch.configureBlocking(false);
            for (int i = 0; i < rounds; i++) {
                byte[] sent = new byte[1 + r.nextInt(4096)];
                r.nextBytes(sent);
                ByteBuffer w = ByteBuffer.wrap(sent);
                while (w.hasRemaining()) {
                    if (ch.write(w) == 0) {
                        Coio.poll(new PollFd(ch, Coio.POLLOUT), 60_000);
                    }
                }
                ByteBuffer back = ByteBuffer.allocate(sent.length);
                while (back.hasRemaining()) {
                    Coio.poll(new PollFd(ch, Coio.POLLIN), 60_000);
                    check(ch.read(back) >= 0, "EOF");
                }
                check(Arrays.equals(sent, back.array()), "echoed bytes differ (poll)");
                count.incrementAndGet();
            }
        }
    }

    /** Parks in a class initializer (pins its carrier) until the release socket delivers a byte. */
    static final class Pin {
        static final int VALUE;

        static {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), releasePort)) {
                System.out.println("pinned: initializer connected");
                System.out.flush();
                markConnected();
                VALUE = s.getInputStream().read();
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    static volatile Socket initSocket;

    /** A coroutine whose body runs a class initializer that does a blocking socket read (it cannot yield there). */
    static final class ReadsInInitializer {
        static final int VALUE;

        static {
            try {
                VALUE = initSocket.getInputStream().read();
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static void pinnedExplicit() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Socket[] p = pair(server);
            initSocket = p[1];
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(200); // the initializer is blocked in its read by then; its read has no timeout
                    p[0].getOutputStream().write(5);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            int[] got = {-1};
            Coroutine co = Coroutine.create("in-initializer", () -> got[0] = ReadsInInitializer.VALUE);
            co.resume();
            System.out.println("pinned-explicit: state=" + co.state() + " read=" + got[0]);
            writer.join(60_000);
        }
    }

    static volatile int releasePort;

    /**
     * carriers=1: while a converted thread is pinned (its carrier's loop handed to a new OS thread), explicit
     * coroutines of that carrier waiting on a CoCond and on Coio.poll are still woken.
     */
    private static void pinned(int port) throws Exception {
        releasePort = port;
        CoCond cond = new CoCond();
        AtomicReference<String> result = new AtomicReference<>("none");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            Socket peer = server.accept();
            CountDownLatch waiting = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(2);
            List<String> woke = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread host = new Thread(() -> {
                Coroutine onCond = Coroutine.create("on-cond", () -> {
                    woke.add("cond=" + cond.await(60_000));
                    done.countDown();
                });
                Coroutine onPoll = Coroutine.create("on-poll", () -> {
                    PollFd pf = new PollFd(ch, Coio.POLLIN);
                    woke.add("poll=" + Coio.poll(pf, 60_000));
                    done.countDown();
                });
                onCond.resume();
                onPoll.resume();
                waiting.countDown();
                Coio.eventLoop(() -> onCond.isDone() && onPoll.isDone() ? -1 : 0);
            });
            host.start();
            check(waiting.await(60, TimeUnit.SECONDS), "coroutines did not start waiting");
            Thread pinner = new Thread(() -> result.set("pin=" + Pin.VALUE));
            pinner.start();
            // The test prints 'release' only after it saw the coroutines wake (they must wake while pinned).
            while (!pinnedSeen()) {
                Thread.sleep(5); // waits for the initializer's line; the test bounds the whole run
            }
            cond.signal();
            peer.getOutputStream().write(1);
            check(done.await(60, TimeUnit.SECONDS), "coroutines were not woken while the carrier was pinned: " + woke);
            System.out.println("pinned: woke while pinned " + woke.stream().sorted().toList());
            System.out.flush();
            pinner.join(120_000);
            host.join(60_000);
            System.out.println("pinned: after release " + result.get());
            ch.close();
            peer.close();
        }
    }

    private static volatile boolean initializerConnected;

    private static boolean pinnedSeen() {
        return initializerConnected;
    }

    static void markConnected() {
        initializerConnected = true;
    }
}
