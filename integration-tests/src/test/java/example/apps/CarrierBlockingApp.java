package example.apps;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A thread-per-connection line server whose commands block their thread in ways a coroutine cannot yield from.
 * No coio imports. Each blocking command first answers a "now blocking" line on its own connection (a socket
 * write, which never hands a carrier off), then blocks; nothing it does in between can yield.
 *
 * <ul>
 *   <li>{@code echo <text>}: {@code echo <text>}
 *   <li>{@code fifo <path>}: opens the FIFO, answers {@code reading}, reads one byte with {@code FileInputStream.read},
 *       answers {@code fifo <byte>}
 *   <li>{@code fifoopen <path>}: answers {@code opening}, opens the FIFO for reading (the open blocks in native code
 *       until a writer opens it), answers {@code opened}
 *   <li>{@code rafline <path>}: opens the FIFO with {@code RandomAccessFile}, answers {@code reading}, reads a line
 *       ({@code readLine} calls the native {@code read0} directly: no coio hook), answers {@code rafline <line>}
 *   <li>{@code proc <fifo>}: starts {@code sh -c 'read x < fifo'}, answers {@code started}, {@code Process.waitFor()},
 *       answers {@code proc exit=<code>}
 *   <li>{@code dns <name>}: {@code InetAddress.getAllByName(name)}, answers {@code dns <count>}
 *   <li>{@code waitinit}: a class initializer (pinned) answers {@code waiting} and waits in {@code Object.wait}
 *       until {@code notify}; then {@code waitinit done}
 *   <li>{@code notify}: wakes that initializer, answers {@code notified}
 *   <li>{@code hold}: enters {@link Shared#MONITOR}, answers {@code holding}, keeps it while reading the next line
 *       from its connection, then answers {@code released}
 *   <li>{@code monitorinit}: a class initializer (pinned) answers {@code entering} and enters {@link Shared#MONITOR};
 *       then {@code monitorinit done}
 *   <li>{@code pinnedpark <port>}: a class initializer (pinned) answers {@code initializing}, connects to
 *       127.0.0.1:port and reads a line from there; then {@code pinnedpark <line>}
 *   <li>{@code spin <ms>}: runs CPU-bound for that long without yielding, answers {@code spun}
 *   <li>{@code reads <n> <path>}: {@code n} reads of 64 bytes, alternately from {@code /dev/urandom}
 *       ({@code FileInputStream}) and from the regular file {@code path} ({@code RandomAccessFile}), each followed by
 *       {@code Thread.yield()} (so each read is in a run of its own); answers {@code reads <n>}
 *   <li>{@code closedread <ms>}: a {@code FileInputStream.read} on a closed stream (it throws), then runs CPU-bound for
 *       {@code ms} without yielding; answers {@code closedread <exception class>}
 *   <li>{@code quit}: exits with code 0
 * </ul>
 */
public final class CarrierBlockingApp {

    public static void main(String[] args) throws IOException {
        ProxySelector.getDefault(); // its first use reads a file; not inside the commands under test
        // Loading a class reads its class file (file I/O of its own): done here, so that each command blocks only
        // where it says (the initializers run later, on the handler's thread).
        for (Class<?> c : new Class<?>[] {Shared.class, WaitInit.class, MonitorInit.class, ParkInit.class}) {
            try {
                Class.forName(c.getName(), false, CarrierBlockingApp.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on " + server.getLocalPort());
            while (true) {
                Socket s = server.accept();
                new Thread(() -> handle(s)).start();
            }
        }
    }

    private static void handle(Socket s) {
        try (s;
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] cmd = line.split(" ", 2);
                switch (cmd[0]) {
                    case "echo" -> out.println(line);
                    case "fifo" -> {
                        try (FileInputStream fifo = new FileInputStream(cmd[1])) {
                            out.println("reading");
                            out.println("fifo " + fifo.read());
                        }
                    }
                    case "fifoopen" -> {
                        out.println("opening");
                        try (FileInputStream fifo = new FileInputStream(cmd[1])) {
                            out.println("opened");
                        }
                    }
                    case "rafline" -> {
                        try (RandomAccessFile fifo = new RandomAccessFile(cmd[1], "r")) {
                            out.println("reading");
                            out.println("rafline " + fifo.readLine());
                        }
                    }
                    case "proc" -> {
                        Process p = new ProcessBuilder("sh", "-c", "read x < " + cmd[1])
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                        out.println("started");
                        out.println("proc exit=" + p.waitFor());
                    }
                    case "dns" -> {
                        String answer;
                        try {
                            answer = "dns " + InetAddress.getAllByName(cmd[1]).length;
                        } catch (java.net.UnknownHostException e) {
                            answer = "dns unknown"; // the lookup was made (offline, a made-up name is not found)
                        }
                        out.println(answer);
                    }
                    case "waitinit" -> {
                        Shared.out = out;
                        out.println("waitinit " + WaitInit.VALUE);
                    }
                    case "notify" -> {
                        synchronized (Shared.LOCK) {
                            Shared.released = true;
                            Shared.LOCK.notifyAll();
                        }
                        out.println("notified");
                    }
                    case "hold" -> {
                        synchronized (Shared.MONITOR) {
                            out.println("holding");
                            in.readLine(); // parks while it holds the monitor
                        }
                        out.println("released");
                    }
                    case "monitorinit" -> {
                        Shared.out = out;
                        out.println("monitorinit " + MonitorInit.VALUE);
                    }
                    case "pinnedpark" -> {
                        Shared.out = out;
                        Shared.port = Integer.parseInt(cmd[1]);
                        out.println("pinnedpark " + ParkInit.VALUE);
                    }
                    case "spin" -> {
                        long end = System.nanoTime() + Long.parseLong(cmd[1]) * 1_000_000L;
                        while (System.nanoTime() - end < 0) {
                            Thread.onSpinWait();
                        }
                        out.println("spun");
                    }
                    case "reads" -> {
                        String[] a = cmd[1].split(" ", 2);
                        int n = Integer.parseInt(a[0]);
                        try (FileInputStream urandom = new FileInputStream("/dev/urandom");
                             RandomAccessFile regular = new RandomAccessFile(a[1], "r")) {
                            byte[] b = new byte[64];
                            for (int i = 0; i < n; i++) {
                                int got;
                                if (i % 2 == 0) {
                                    got = urandom.read(b);
                                } else {
                                    regular.seek(0);
                                    got = regular.read(b);
                                }
                                if (got != b.length) {
                                    throw new IOException("short read: " + got);
                                }
                                Thread.yield();
                            }
                        }
                        out.println("reads " + n);
                    }
                    case "closedread" -> {
                        FileInputStream closed = new FileInputStream("/dev/urandom");
                        closed.close();
                        String answer;
                        try {
                            answer = "closedread no exception " + closed.read();
                        } catch (IOException e) {
                            answer = "closedread " + e.getClass().getName();
                        }
                        long end = System.nanoTime() + Long.parseLong(cmd[1]) * 1_000_000L;
                        while (System.nanoTime() - end < 0) {
                            Thread.onSpinWait();
                        }
                        out.println(answer);
                    }
                    case "spinready" -> { // loads what spinuntil needs, so that its run loads no class
                        Spin.stop = false;
                        out.println("ready");
                    }
                    case "spinuntil" -> { // busy on the CPU, never yielding, until another connection says stop
                        out.println("spinning");
                        while (!Spin.stop) {
                            Thread.onSpinWait();
                        }
                        out.println("spun");
                    }
                    case "stopspin" -> {
                        Spin.stop = true;
                        out.println("stopped");
                    }
                    case "quit" -> System.exit(0);
                    default -> out.println("unknown " + line);
                }
            }
        } catch (IOException | InterruptedException e) {
            System.out.println("handler error: " + e);
        }
    }

    /** State the initializers use: outside their classes, which other threads must not touch during initialization. */
    /** The flag a spinuntil coroutine spins on. */
    static final class Spin {
        static volatile boolean stop;

        private Spin() {
        }
    }

    static final class Shared {
        static final Object LOCK = new Object();
        static final Object MONITOR = new Object();
        static volatile PrintWriter out;
        static volatile int port;
        static boolean released;

        private Shared() {
        }
    }

    static final class WaitInit {
        static final String VALUE;

        static {
            synchronized (Shared.LOCK) {
                Shared.out.println("waiting");
                while (!Shared.released) {
                    try {
                        Shared.LOCK.wait();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            VALUE = "done";
        }

        private WaitInit() {
        }
    }

    static final class MonitorInit {
        static final String VALUE;

        static {
            Shared.out.println("entering");
            synchronized (Shared.MONITOR) {
                VALUE = "done";
            }
        }

        private MonitorInit() {
        }
    }

    static final class ParkInit {
        static final String VALUE;

        static {
            Shared.out.println("initializing");
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), Shared.port))) {
                ByteBuffer buf = ByteBuffer.allocate(64);
                StringBuilder b = new StringBuilder();
                while (ch.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        char c = (char) buf.get();
                        if (c == '\n') {
                            break;
                        }
                        b.append(c);
                    }
                    buf.clear();
                    if (b.length() > 0) {
                        break;
                    }
                }
                VALUE = b.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private ParkInit() {
        }
    }
}
