package io.coio.it.detect.apps;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Makes each blocking call that detect mode covers, on threads of the given names, and prints after each
 * scenario {@code DONE <scenario> <thread>} or {@code THROWN <scenario> <thread> <error class>: <message> @ <top frame>};
 * then {@code FINISHED}. Each scenario is a method of its own name, so a report's stack says which scenario
 * made it. A scenario thread makes no blocking call besides the one(s) under test: it coordinates with its
 * helper threads by spinning (bounded), and main joins the helpers.
 *
 * <p>Usage: {@code BlockingCallsApp <thread name>=<scenario,...|all> ...}; {@code all} is every scenario but
 * those of {@code NOT_IN_ALL}. Uses coio only reflectively ({@code allowedByApi}, {@code marked}), like an app that does not
 * depend on it at compile time.
 */
public final class BlockingCallsApp {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(20);

    interface Scenario {
        void run(Fixture fx) throws Exception;
    }

    /** Scenario name (= method name) -> scenario, in run order. */
    static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("sleep", BlockingCallsApp::sleep);
        SCENARIOS.put("objectWait", BlockingCallsApp::objectWait);
        SCENARIOS.put("parkNanos", BlockingCallsApp::parkNanos);
        SCENARIOS.put("lockContended", BlockingCallsApp::lockContended);
        SCENARIOS.put("queueTake", BlockingCallsApp::queueTake);
        SCENARIOS.put("futureGet", BlockingCallsApp::futureGet);
        SCENARIOS.put("socket", BlockingCallsApp::socket);
        SCENARIOS.put("serverSocketAccept", BlockingCallsApp::serverSocketAccept);
        SCENARIOS.put("channel", BlockingCallsApp::channel);
        SCENARIOS.put("serverChannelAccept", BlockingCallsApp::serverChannelAccept);
        SCENARIOS.put("nonBlockingChannel", BlockingCallsApp::nonBlockingChannel);
        SCENARIOS.put("selector", BlockingCallsApp::selector);
        SCENARIOS.put("datagram", BlockingCallsApp::datagram);
        SCENARIOS.put("pipe", BlockingCallsApp::pipe);
        SCENARIOS.put("fileInputStream", BlockingCallsApp::fileInputStream);
        SCENARIOS.put("fileOutputStream", BlockingCallsApp::fileOutputStream);
        SCENARIOS.put("randomAccessFile", BlockingCallsApp::randomAccessFile);
        SCENARIOS.put("fileChannel", BlockingCallsApp::fileChannel);
        SCENARIOS.put("filesReadAllBytes", BlockingCallsApp::filesReadAllBytes);
        SCENARIOS.put("dns", BlockingCallsApp::dns);
        SCENARIOS.put("processWaitFor", BlockingCallsApp::processWaitFor);
        SCENARIOS.put("console", BlockingCallsApp::console);
        SCENARIOS.put("repeat", BlockingCallsApp::repeat);
        SCENARIOS.put("allowedByOption", BlockingCallsApp::allowedByOption);
        SCENARIOS.put("allowedByApi", BlockingCallsApp::allowedByApi);
        SCENARIOS.put("notAllowed", BlockingCallsApp::notAllowed);
        SCENARIOS.put("marked", BlockingCallsApp::marked);
        // Not in "all": the other ways to sleep and wait, for the JDKs whose table differs (OldJdkDetectTest)
        SCENARIOS.put("sleepWithNanos", BlockingCallsApp::sleepWithNanos);
        SCENARIOS.put("timeUnitSleep", BlockingCallsApp::timeUnitSleep);
        SCENARIOS.put("objectWaitNoTimeout", BlockingCallsApp::objectWaitNoTimeout);
        SCENARIOS.put("threadJoin", BlockingCallsApp::threadJoin);
    }

    /** Scenarios that "all" leaves out (run only when named). */
    static final List<String> NOT_IN_ALL = List.of("marked", "sleepWithNanos", "timeUnitSleep", "objectWaitNoTimeout",
            "threadJoin");

    public static void main(String[] args) throws Exception {
        try (Fixture fx = new Fixture()) {
            for (String arg : args) {
                int eq = arg.indexOf('=');
                String name = arg.substring(0, eq);
                List<String> scenarios = new ArrayList<>();
                for (String s : arg.substring(eq + 1).split(",")) {
                    if (s.equals("all")) {
                        SCENARIOS.keySet().stream().filter(k -> !NOT_IN_ALL.contains(k)).forEach(scenarios::add);
                    } else if (SCENARIOS.containsKey(s)) {
                        scenarios.add(s);
                    } else {
                        throw new IllegalArgumentException("unknown scenario " + s);
                    }
                }
                Thread t = new Thread(() -> runAll(fx, scenarios), name);
                t.start();
                t.join(TimeUnit.SECONDS.toMillis(60));
                if (t.isAlive()) {
                    System.out.println("STUCK " + name);
                    System.exit(2);
                }
            }
            fx.joinHelpers();
        }
        System.out.println("FINISHED");
    }

    private static void runAll(Fixture fx, List<String> scenarios) {
        String thread = Thread.currentThread().getName();
        for (String s : scenarios) {
            try {
                SCENARIOS.get(s).run(fx);
                System.out.println("DONE " + s + " " + thread);
            } catch (Throwable e) {
                StackTraceElement[] at = e.getStackTrace();
                System.out.println("THROWN " + s + " " + thread + " " + e.getClass().getName() + ": " + e.getMessage()
                        + (at.length > 0 ? " @ " + at[0] : ""));
            }
        }
    }

    // ---------------------------------------------------------------------------------- scenarios

    static void sleep(Fixture fx) throws InterruptedException {
        Thread.sleep(1);
    }

    static void objectWait(Fixture fx) throws InterruptedException {
        Object lock = new Object();
        synchronized (lock) {
            lock.wait(1);
        }
    }

    static void parkNanos(Fixture fx) {
        LockSupport.parkNanos(1_000_000);
    }

    static void lockContended(Fixture fx) {
        ReentrantLock lock = new ReentrantLock();
        Thread me = Thread.currentThread();
        fx.helper(() -> {
            lock.lock();
            try {
                // Parked, not merely queued: a queued thread re-tries the lock before it parks, and would
                // take it without parking if the holder let go at that moment (no blocking call made).
                spinUntil(() -> parkedIn(me, "lockContended"));
            } finally {
                lock.unlock();
            }
        });
        spinUntil(lock::isLocked);
        lock.lock(); // parks until the holder sees it parked
        lock.unlock();
    }

    static void queueTake(Fixture fx) throws InterruptedException {
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread me = Thread.currentThread();
        fx.helper(() -> {
            spinUntil(() -> parkedIn(me, "queueTake"));
            q.add("x");
        });
        q.take();
    }

    static void futureGet(Fixture fx) throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread me = Thread.currentThread();
        fx.helper(() -> {
            spinUntil(() -> parkedIn(me, "futureGet"));
            f.complete("x");
        });
        f.get();
    }

    static void socket(Fixture fx) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(fx.echo(), 10_000);
            s.getOutputStream().write(7);
            int b = s.getInputStream().read();
            check(b == 7, "echoed byte " + b);
        }
    }

    static void serverSocketAccept(Fixture fx) throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 4, LOOPBACK)) {
            fx.helper(() -> connectAndClose(new InetSocketAddress(LOOPBACK, ss.getLocalPort())));
            try (Socket s = ss.accept()) {
                check(s.isConnected(), "accepted");
            }
        }
    }

    static void channel(Fixture fx) throws IOException {
        try (SocketChannel ch = SocketChannel.open()) {
            ch.connect(fx.echo());
            ch.write(ByteBuffer.wrap(new byte[] {7}));
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b);
            check(b.get(0) == 7, "echoed byte");
        }
    }

    static void serverChannelAccept(Fixture fx) throws IOException {
        try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
            ssc.bind(new InetSocketAddress(LOOPBACK, 0), 4);
            InetSocketAddress at = (InetSocketAddress) ssc.getLocalAddress();
            fx.helper(() -> connectAndClose(at));
            try (SocketChannel accepted = ssc.accept()) {
                check(accepted != null, "accepted");
            }
        }
    }

    /** Non-blocking channels and selectNow() never wait: nothing here may be reported. */
    static void nonBlockingChannel(Fixture fx) throws IOException {
        try (SocketChannel ch = SocketChannel.open(); Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            ch.connect(fx.echo());
            spinUntil(() -> {
                try {
                    return ch.finishConnect();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            check(ch.read(ByteBuffer.allocate(1)) == 0, "nothing to read yet");
            sel.selectNow();
        }
    }

    static void selector(Fixture fx) throws IOException {
        try (Selector sel = Selector.open()) {
            sel.select(1);
        }
    }

    static void datagram(Fixture fx) throws IOException {
        try (DatagramSocket ds = new DatagramSocket(0, LOOPBACK)) {
            byte[] data = {1, 2, 3};
            ds.send(new DatagramPacket(data, data.length, LOOPBACK, ds.getLocalPort()));
            DatagramPacket p = new DatagramPacket(new byte[8], 8);
            ds.receive(p);
            check(p.getLength() == 3, "datagram length " + p.getLength());
        }
    }

    static void pipe(Fixture fx) throws IOException {
        Pipe p = Pipe.open();
        try (Pipe.SinkChannel sink = p.sink(); Pipe.SourceChannel source = p.source()) {
            sink.write(ByteBuffer.wrap(new byte[] {9}));
            ByteBuffer b = ByteBuffer.allocate(1);
            source.read(b);
            check(b.get(0) == 9, "piped byte");
        }
    }

    static void fileInputStream(Fixture fx) throws IOException {
        try (InputStream in = new FileInputStream(fx.file.toFile())) {
            check(in.read() == 'h', "first byte");
        }
    }

    static void fileOutputStream(Fixture fx) throws IOException {
        try (OutputStream out = new FileOutputStream(fx.scratch.toFile())) {
            out.write('x');
        }
    }

    static void randomAccessFile(Fixture fx) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(fx.scratch.toFile(), "rw")) {
            raf.write('y');
            raf.seek(0);
            check(raf.read() == 'y', "read back");
        }
    }

    static void fileChannel(Fixture fx) throws IOException {
        try (FileChannel ch = FileChannel.open(fx.scratch, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'z'}), 0);
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 0);
            check(b.get(0) == 'z', "read back");
        }
    }

    static void filesReadAllBytes(Fixture fx) throws IOException {
        check(Files.readAllBytes(fx.file).length == 5, "file length");
    }

    static void dns(Fixture fx) throws IOException {
        check(InetAddress.getByName("localhost").isLoopbackAddress(), "localhost is loopback");
    }

    static void processWaitFor(Fixture fx) throws Exception {
        Process p = new ProcessBuilder("true").start();
        check(p.waitFor() == 0, "exit code");
    }

    /** Console output is exempt (as in BlockHound): nothing here may be reported. */
    static void console(Fixture fx) {
        System.out.println("console stdout from " + Thread.currentThread().getName());
        System.err.println("console stderr from " + Thread.currentThread().getName());
    }

    /** Five calls at one call site, one at another: two reports, counts 5 and 1 in the summary. */
    static void repeat(Fixture fx) throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            Thread.sleep(1);
        }
        Thread.sleep(1);
    }

    /** The test passes allow=io.coio.it.detect.apps.BlockingCallsApp#allowedByOption. */
    static void allowedByOption(Fixture fx) throws InterruptedException {
        Thread.sleep(1);
    }

    static void allowedByApi(Fixture fx) throws Exception {
        coio("allowBlockingCallsInside", new Class<?>[] {String.class, String.class},
                BlockingCallsApp.class.getName(), "allowedInside");
        allowedInside();
    }

    static void allowedInside() throws InterruptedException {
        Thread.sleep(1);
    }

    static void notAllowed(Fixture fx) throws InterruptedException {
        Thread.sleep(1);
    }

    /** Marked non-blocking: the first sleep is reported; marked blocking: the second is not. */
    static void marked(Fixture fx) throws Exception {
        Thread me = Thread.currentThread();
        coio("markNonBlocking", new Class<?>[] {Thread.class}, me);
        Thread.sleep(1);
        coio("markBlocking", new Class<?>[] {Thread.class}, me);
        Thread.sleep(1);
        coio("clearMark", new Class<?>[] {Thread.class}, me);
    }

    static void sleepWithNanos(Fixture fx) throws InterruptedException {
        Thread.sleep(1, 0);
    }

    static void timeUnitSleep(Fixture fx) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(1);
    }

    static void objectWaitNoTimeout(Fixture fx) throws InterruptedException {
        Object lock = new Object();
        boolean[] done = {false};
        Thread me = Thread.currentThread();
        fx.helper(() -> {
            spinUntil(() -> parkedIn(me, "objectWaitNoTimeout"));
            synchronized (lock) {
                done[0] = true;
                lock.notifyAll();
            }
        });
        synchronized (lock) {
            while (!done[0]) {
                lock.wait();
            }
        }
    }

    static void threadJoin(Fixture fx) throws InterruptedException {
        Thread me = Thread.currentThread();
        Thread joined = new Thread(() -> spinUntil(() -> parkedIn(me, "threadJoin")), "fixture-joined");
        joined.setDaemon(true);
        joined.start();
        joined.join();
    }

    // ------------------------------------------------------------------------------------ helpers

    private static void coio(String method, Class<?>[] types, Object... args) throws Exception {
        Method m = Class.forName("io.coio.agent.detect.CoioDetect").getMethod(method, types);
        m.invoke(null, args);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("check failed: " + what);
        }
    }

    /** Spins (never blocks) until {@code condition}, at most {@link #BOUND_NANOS}. */
    static void spinUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("condition not reached within the bound");
            }
            Thread.onSpinWait();
        }
    }

    /** {@code t} is parked and its stack shows scenario method {@code scenario}. */
    static boolean parkedIn(Thread t, String scenario) {
        Thread.State s = t.getState();
        if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals(scenario) && e.getClassName().equals(BlockingCallsApp.class.getName())) {
                return true;
            }
        }
        return false;
    }

    private static void connectAndClose(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 10_000);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An echo server on loopback (one thread per connection), a file with "hello", a scratch file, helpers. */
    static final class Fixture implements AutoCloseable {
        final Path file;
        final Path scratch;
        private final ServerSocket echoServer;
        private final List<Thread> helpers = new ArrayList<>();

        Fixture() throws IOException {
            file = Files.createTempFile("coio-detect", ".txt");
            Files.writeString(file, "hello");
            scratch = Files.createTempFile("coio-detect", ".bin");
            echoServer = new ServerSocket(0, 50, LOOPBACK);
            Thread acceptor = new Thread(this::acceptLoop, "fixture-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress echo() {
            return new InetSocketAddress(LOOPBACK, echoServer.getLocalPort());
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Socket s = echoServer.accept();
                    Thread t = new Thread(() -> echo(s), "fixture-echo");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException closed) {
                // fixture closed
            }
        }

        private static void echo(Socket s) {
            try (s) {
                int b;
                while ((b = s.getInputStream().read()) >= 0) {
                    s.getOutputStream().write(b);
                }
            } catch (IOException ignored) {
                // peer gone
            }
        }

        /** Starts a helper thread (never a non-blocking one); main joins it. */
        void helper(Runnable r) {
            Thread t = new Thread(r, "fixture-helper");
            t.setDaemon(true);
            synchronized (helpers) {
                helpers.add(t);
            }
            t.start();
        }

        void joinHelpers() throws InterruptedException {
            List<Thread> all;
            synchronized (helpers) {
                all = new ArrayList<>(helpers);
            }
            for (Thread t : all) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        @Override
        public void close() throws IOException {
            echoServer.close();
            Files.deleteIfExists(file);
            Files.deleteIfExists(scratch);
        }
    }
}
