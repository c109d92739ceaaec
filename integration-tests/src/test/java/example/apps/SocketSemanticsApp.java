package example.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Blocking-socket corner cases, each run in a thread the app starts, printing what happened so that a
 * run under the agent can be compared with a run on plain JDK virtual threads. No coio imports.
 *
 * <p>Usage: {@code SocketSemanticsApp thread|virtual scenario...}: {@code thread} starts each scenario
 * with {@code new Thread(r).start()} (what the agent converts), {@code virtual} with
 * {@code Thread.ofVirtual().start(r)} (the JDK's own virtual threads, the reference behaviour).
 *
 * <p>Output per scenario: {@code ON <scenario> virtual=<b> coio=<b>} (the thread it ran on),
 * {@code RESULT <scenario> <outcome>} (must be identical across runs), {@code ELAPSED <scenario> <ms>}
 * for timed parts, {@code NOTPARKED <scenario> ...} if a thread that should have been parked in a
 * socket call was not seen parked within 10 s; finally {@code DONE}. In {@code thread} mode the scenarios wait
 * first until coio makes socket reads and writes itself ({@code RESULT heapSocketIo linked}): see
 * {@link #awaitCoiosOwnSocketIo}.
 */
public final class SocketSemanticsApp {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static boolean virtualMode;

    public static void main(String[] args) throws Exception {
        virtualMode = args[0].equals("virtual");
        Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("soTimeout50", () -> soTimeout("soTimeout50", 50, 5));
        all.put("soTimeout300", () -> soTimeout("soTimeout300", 300, 1));
        all.put("soTimeout1500", () -> soTimeout("soTimeout1500", 1500, 1));
        all.put("acceptTimeout", SocketSemanticsApp::acceptTimeout);
        all.put("connectTimeout", SocketSemanticsApp::connectTimeout);
        all.put("connectRefused", SocketSemanticsApp::connectRefused);
        all.put("closeWhileReading", SocketSemanticsApp::closeWhileReading);
        all.put("closeWhileAccepting", SocketSemanticsApp::closeWhileAccepting);
        all.put("closeChannelWhileReading", SocketSemanticsApp::closeChannelWhileReading);
        all.put("interruptWhileReading", SocketSemanticsApp::interruptWhileReading);
        all.put("interruptWhileAccepting", SocketSemanticsApp::interruptWhileAccepting);
        all.put("interruptChannelRead", SocketSemanticsApp::interruptChannelRead);
        all.put("peerReset", SocketSemanticsApp::peerReset);
        all.put("halfClose", SocketSemanticsApp::halfClose);
        all.put("writeAfterPeerReset", SocketSemanticsApp::writeAfterPeerReset);
        if (!virtualMode) {
            awaitCoiosOwnSocketIo();
        }
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            Scenario s = all.get(name);
            if (s == null) {
                System.out.println("RESULT " + name + " unknown scenario");
                continue;
            }
            Thread t = start(() -> {
                Thread me = JvmThread.current();
                System.out.println("ON " + name + " virtual=" + me.isVirtual()
                        + " coio=" + me.toString().contains("@coio-carrier-"));
                try {
                    s.run();
                } catch (Throwable e) {
                    System.out.println("RESULT " + name + " unexpected " + e);
                    e.printStackTrace(System.out);
                }
            });
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
                System.out.println("RESULT " + name + " scenario still running after 30 s");
                dump(t);
            }
        }
        System.out.println("DONE");
        System.exit(0);
    }

    interface Scenario {
        void run() throws Exception;
    }

    /** Starts a thread the way the chosen mode does. */
    private static Thread start(Runnable r) {
        return virtualMode ? Thread.ofVirtual().start(r) : startPlain(r);
    }

    private static Thread startPlain(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    private static void result(String scenario, String outcome) {
        System.out.println("RESULT " + scenario + " " + outcome);
    }

    private static void elapsed(String scenario, long startNanos) {
        System.out.println("ELAPSED " + scenario + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    // --------------------------------------------------------------------------- timeouts

    /** A read with SO_TIMEOUT on a silent peer times out; the socket stays usable afterwards. */
    private static void soTimeout(String name, int timeoutMillis, int times) throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort());
             Socket peer = ss.accept()) {
            client.setSoTimeout(timeoutMillis);
            InputStream in = client.getInputStream();
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                long t0 = System.nanoTime();
                try {
                    int b = in.read();
                    outcomes.add("read returned " + b);
                } catch (SocketTimeoutException e) {
                    outcomes.add(describe(e));
                }
                elapsed(name, t0);
            }
            peer.getOutputStream().write(42);
            outcomes.add("then read " + in.read());
            result(name, String.join("; ", outcomes));
        }
    }

    /** ServerSocket.accept with SO_TIMEOUT and nobody connecting. */
    private static void acceptTimeout() throws IOException {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK)) {
            ss.setSoTimeout(300);
            long t0 = System.nanoTime();
            try {
                ss.accept().close();
                result("acceptTimeout", "accepted a connection");
            } catch (SocketTimeoutException e) {
                elapsed("acceptTimeout", t0);
                result("acceptTimeout", describe(e));
            }
        }
    }

    /**
     * Socket.connect(addr, 300) to a listener whose accept queue is full (backlog 1, never accepting):
     * Linux drops further SYNs, so a connect eventually stays pending and must time out.
     */
    private static void connectTimeout() throws IOException {
        List<Socket> filled = new ArrayList<>();
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress addr = new InetSocketAddress(LOOPBACK, ss.getLocalPort());
            for (int attempt = 1; attempt <= 20; attempt++) {
                Socket s = new Socket();
                filled.add(s);
                long t0 = System.nanoTime();
                try {
                    s.connect(addr, 300);
                } catch (SocketTimeoutException e) {
                    elapsed("connectTimeout", t0);
                    result("connectTimeout", describe(e) + "; connected=" + s.isConnected());
                    return;
                }
            }
            result("connectTimeout", "20 connects to a full backlog all succeeded");
        } finally {
            for (Socket s : filled) {
                s.close();
            }
        }
    }

    /** Connecting to a port nobody listens on: ConnectException, for Socket and SocketChannel. */
    private static void connectRefused() throws IOException {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK)) {
            port = ss.getLocalPort();
        }
        InetSocketAddress addr = new InetSocketAddress(LOOPBACK, port);
        List<String> outcomes = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(addr, 5_000);
            outcomes.add("socket connected");
        } catch (IOException e) {
            outcomes.add("socket " + describe(e));
        }
        try (SocketChannel ch = SocketChannel.open(addr)) {
            outcomes.add("channel connected " + ch.isConnected());
        } catch (IOException e) {
            outcomes.add("channel " + describe(e));
        }
        result("connectRefused", String.join("; ", outcomes));
    }

    // ------------------------------------------------------------------- close and interrupt

    /** Another thread closes the socket while this one is parked in read (no SO_TIMEOUT). */
    private static void closeWhileReading() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort());
             Socket peer = ss.accept()) {
            AtomicLong closedAt = new AtomicLong();
            Blocked reader = blockIn("closeWhileReading", "reader", () -> "read returned " + client.getInputStream().read(),
                    SocketSemanticsApp::describe, false, () -> elapsed("closeWhileReading", closedAt.get()));
            closedAt.set(System.nanoTime());
            client.close();
            String outcome = reader.outcomeAfter("close");
            // A late peer write must not be seen by the closed socket's reader.
            peer.getOutputStream().write(1);
            result("closeWhileReading", outcome + "; closed=" + client.isClosed());
        }
    }

    /** Another thread closes the ServerSocket while this one is parked in accept. */
    private static void closeWhileAccepting() throws Exception {
        ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
        Blocked acceptor = blockIn("closeWhileAccepting", "acceptor", () -> {
            ss.accept().close();
            return "accepted";
        }, SocketSemanticsApp::describe, false, NOTHING);
        ss.close();
        result("closeWhileAccepting", acceptor.outcomeAfter("close"));
    }

    /** Another thread closes a blocking SocketChannel while this one is parked in read. */
    private static void closeChannelWhileReading() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             SocketChannel ch = SocketChannel.open(new InetSocketAddress(LOOPBACK, ss.getLocalPort()));
             Socket peer = ss.accept()) {
            Blocked reader = blockIn("closeChannelWhileReading", "reader",
                    () -> "read returned " + ch.read(ByteBuffer.allocate(16)), e -> e.getClass().getName(), false, NOTHING);
            ch.close();
            String outcome = reader.outcomeAfter("close");
            peer.getOutputStream().write(1);
            result("closeChannelWhileReading", outcome);
        }
    }

    /** Thread.interrupt() of a thread parked in Socket read. */
    private static void interruptWhileReading() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort());
             Socket peer = ss.accept()) {
            Blocked reader = blockIn("interruptWhileReading", "reader",
                    () -> "read returned " + client.getInputStream().read(), SocketSemanticsApp::describe, true, NOTHING);
            reader.thread().interrupt();
            reader.thread().join(1_000); // a platform thread's read goes on: give it data (if the socket lives)
            if (!client.isClosed()) {
                peer.getOutputStream().write(7);
            }
            result("interruptWhileReading", reader.outcomeAfter("interrupt") + "; closed=" + client.isClosed());
        }
    }

    /** Thread.interrupt() of a thread parked in ServerSocket accept. */
    private static void interruptWhileAccepting() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK)) {
            Blocked acceptor = blockIn("interruptWhileAccepting", "acceptor", () -> {
                ss.accept().close();
                return "accepted";
            }, SocketSemanticsApp::describe, true, NOTHING);
            acceptor.thread().interrupt();
            acceptor.thread().join(1_000); // a platform thread's accept goes on: give it a client (if it lives)
            if (!ss.isClosed()) {
                new Socket(LOOPBACK, ss.getLocalPort()).close();
            }
            result("interruptWhileAccepting", acceptor.outcomeAfter("interrupt") + "; closed=" + ss.isClosed());
        }
    }

    /** Thread.interrupt() of a thread parked in a blocking SocketChannel read. */
    private static void interruptChannelRead() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             SocketChannel ch = SocketChannel.open(new InetSocketAddress(LOOPBACK, ss.getLocalPort()));
             Socket peer = ss.accept()) {
            Blocked reader = blockIn("interruptChannelRead", "reader",
                    () -> "read returned " + ch.read(ByteBuffer.allocate(16)), e -> e.getClass().getName(), true, NOTHING);
            reader.thread().interrupt();
            result("interruptChannelRead", reader.outcomeAfter("interrupt") + "; open=" + ch.isOpen());
        }
    }

    // ---------------------------------------------------------------------- reset, half-close

    /** The peer closes with SO_LINGER 0 (RST) while this thread is parked in read. */
    private static void peerReset() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort())) {
            Socket peer = ss.accept();
            Blocked reader = blockIn("peerReset", "reader", () -> "read returned " + client.getInputStream().read(),
                    SocketSemanticsApp::describe, false, NOTHING);
            peer.setSoLinger(true, 0);
            peer.close();
            result("peerReset", reader.outcomeAfter("the peer's reset"));
        }
    }

    /**
     * Half-close: the client sends 1,000 bytes then shutdownOutput; the server thread reads to EOF (-1),
     * then answers; the client (parked in read meanwhile) still receives the answer, then EOF.
     */
    private static void halfClose() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort());
             Socket peer = ss.accept()) {
            AtomicReference<String> serverSaw = new AtomicReference<>("server did not finish");
            Thread server = start(() -> {
                try {
                    InputStream in = peer.getInputStream();
                    byte[] buf = new byte[256];
                    int total = 0;
                    int r;
                    while ((r = in.read(buf)) >= 0) {
                        total += r;
                    }
                    serverSaw.set("server read " + total + " bytes then " + r);
                    peer.getOutputStream().write(("got " + total + "\n").getBytes(StandardCharsets.US_ASCII));
                    peer.shutdownOutput();
                } catch (IOException e) {
                    serverSaw.set("server " + describe(e));
                }
            });
            OutputStream out = client.getOutputStream();
            out.write(new byte[1000]);
            client.shutdownOutput();
            String writeAfterShutdown;
            try {
                out.write(1);
                writeAfterShutdown = "write after shutdownOutput succeeded";
            } catch (IOException e) {
                writeAfterShutdown = "write after shutdownOutput: " + describe(e);
            }
            byte[] answer = client.getInputStream().readNBytes(64);
            int eof = client.getInputStream().read();
            server.join(10_000);
            result("halfClose", serverSaw.get() + "; client got '"
                    + new String(answer, StandardCharsets.US_ASCII).trim() + "' then " + eof + "; " + writeAfterShutdown);
        }
    }

    /**
     * The peer resets the connection after this thread has read from it (so the socket is one coio tracks); two
     * writes then fail, as the C library names the errors: first the reset, then the broken pipe.
     */
    private static void writeAfterPeerReset() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort())) {
            Socket peer = ss.accept();
            Blocked reader = blockIn("writeAfterPeerReset", "reader", () -> "read returned " + client.getInputStream().read(),
                    SocketSemanticsApp::describe, false, NOTHING);
            peer.getOutputStream().write(7);
            String read = reader.outcomeAfter("the peer's byte");
            peer.setSoLinger(true, 0);
            peer.close();
            List<String> writes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                try {
                    client.getOutputStream().write(new byte[8]);
                    writes.add("write succeeded");
                } catch (IOException e) {
                    writes.add(describe(e));
                }
            }
            result("writeAfterPeerReset", read + "; " + String.join("; ", writes));
        }
    }

    // -------------------------------------------------------------------------------- helpers

    /**
     * Under the agent, coio does a coroutine's reads and writes of a socket it waits on itself, on the app's array,
     * once it has linked them (in the background, at the first such read or write). So that the scenarios test that
     * path and not the JDK's, this makes echo round trips between two app threads until coio's own counter
     * ({@code io.coio:type=Runtime}, attribute {@code HeapSocketIo}) shows it in use: at most 30 s.
     */
    private static void awaitCoiosOwnSocketIo() throws Exception {
        javax.management.MBeanServer mbeans = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName runtime = new javax.management.ObjectName("io.coio:type=Runtime");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int roundTrips = 0;
        try (ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
             Socket client = new Socket(LOOPBACK, ss.getLocalPort());
             Socket peer = ss.accept()) {
            Thread echo = startPlain(() -> {
                try {
                    InputStream in = peer.getInputStream();
                    OutputStream out = peer.getOutputStream();
                    int b;
                    while ((b = in.read()) >= 0) {
                        out.write(b);
                    }
                } catch (IOException e) {
                    // the client closed
                }
            });
            while ((Long) mbeans.getAttribute(runtime, "HeapSocketIo") == 0 && System.nanoTime() < deadline) {
                client.getOutputStream().write(roundTrips & 0x7f);
                if (client.getInputStream().read() != (roundTrips & 0x7f)) {
                    throw new IOException("echo lost a byte");
                }
                roundTrips++;
            }
            client.shutdownOutput();
            echo.join(10_000);
        }
        boolean linked = (Long) mbeans.getAttribute(runtime, "HeapSocketIo") > 0;
        result("heapSocketIo", linked ? "linked" : "not linked after 30 s and " + roundTrips + " round trips");
    }

    /** One blocking socket call, returning what it did ("read returned 7", "accepted"). */
    interface BlockingCall {
        String call() throws IOException;
    }

    private static final Runnable NOTHING = () -> { };

    /** A thread parked in a blocking socket call, and what the call did once it returned. */
    record Blocked(String subject, Thread thread, AtomicReference<String> outcome) {
        /** Joins (at most 10 s); the call's outcome, or that the thread is still blocked after {@code cause}. */
        String outcomeAfter(String cause) throws InterruptedException {
            thread.join(10_000);
            return thread.isAlive() ? subject + " still blocked 10 s after " + cause : outcome.get();
        }
    }

    /**
     * Starts a thread (the way the chosen mode does) that makes {@code call} and records its result, or its
     * exception as {@code error} describes it, optionally followed by its interrupt status, then runs
     * {@code after}; returns once the thread is parked inside the call.
     */
    private static Blocked blockIn(String scenario, String subject, BlockingCall call,
                                   Function<IOException, String> error, boolean reportInterrupt, Runnable after)
            throws InterruptedException {
        AtomicReference<Thread> self = new AtomicReference<>();
        AtomicReference<String> outcome = new AtomicReference<>(subject + " did not finish");
        Thread t = start(() -> {
            self.set(Thread.currentThread());
            try {
                outcome.set(call.call());
            } catch (IOException e) {
                outcome.set(error.apply(e));
            }
            if (reportInterrupt) {
                outcome.set(outcome.get() + "; interrupted=" + Thread.currentThread().isInterrupted());
            }
            after.run();
        });
        awaitParked(scenario, self);
        return new Blocked(subject, t, outcome);
    }

    /**
     * Waits (at most 10 s) until {@code ref}'s thread is parked inside a socket call: state WAITING or
     * TIMED_WAITING with a sun.nio.ch frame on its stack. Prints NOTPARKED otherwise.
     */
    private static void awaitParked(String scenario, AtomicReference<Thread> ref) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "thread not started";
        while (System.nanoTime() < deadline) {
            Thread t = ref.get();
            if (t != null) {
                Thread.State st = t.getState();
                StackTraceElement[] stack = t.getStackTrace();
                boolean inSocketCall = false;
                boolean waitingForReadiness = false;
                for (StackTraceElement f : stack) {
                    inSocketCall |= f.getClassName().startsWith("sun.nio.ch.");
                    waitingForReadiness |= f.getClassName().equals("sun.nio.ch.Poller");
                }
                // A virtual thread parks (WAITING); a converted app thread reports RUNNABLE there, as a
                // platform thread blocked in a native socket call does, with the readiness wait on its stack.
                if (((st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) && inSocketCall)
                        || (st == Thread.State.RUNNABLE && waitingForReadiness)) {
                    return;
                }
                last = "state " + st + ", " + stack.length + " frames, in sun.nio.ch: " + inSocketCall;
            }
            Thread.sleep(5);
        }
        System.out.println("NOTPARKED " + scenario + " " + last);
    }

    private static void dump(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            System.out.println("    at " + f);
        }
    }
}
