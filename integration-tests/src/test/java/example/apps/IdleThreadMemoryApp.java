package example.apps;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * What an idle thread-per-connection server keeps per connection: {@code args[0]} connections, each served by a
 * {@code new Thread} that reads its socket (parked in {@code InputStream.read}, having echoed one byte). No coio
 * imports. Prints, per idle connection, the growth of the live instance counts of chosen classes from the JVM's
 * own class histogram (the one {@code jcmd GC.class_histogram} prints, after a full GC), and the bytes the
 * starting thread allocated per {@code Thread.start()}, then {@code DONE}:
 * <pre>
 * COUNT class=&lt;name or group&gt; perThread=&lt;instances per connection&gt;
 * START_BYTES perThread=&lt;bytes&gt;
 * FRAMES thread=&lt;name&gt; total=&lt;frames&gt; coio=&lt;frames of io.coio classes and the bridge&gt;
 * </pre>
 * The frames are those of one parked serving thread in the JVM's own thread dump
 * ({@code HotSpotDiagnosticMXBean.dumpThreads}, the text {@code jcmd Thread.dump_to_file} writes), which shows a
 * converted thread's coroutine with every frame it keeps while parked.
 * Groups: {@code coio.lambdas} (lambda objects of coio's classes), {@code coio.all} (every io.coio class).
 */
public final class IdleThreadMemoryApp {
    private static final String[] CLASSES = {
        "io.coio.runtime.AppThreadScheduler",
        "java.lang.Thread",
        "java.lang.VirtualThread",
        "java.lang.ThreadLocal$ThreadLocalMap",
        "io.coio.runtime.FdState",
        "[I",
        "[Lio.coio.runtime.Waiter;",
    };

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            // Warm-up: the same work twice over, so that what is measured is neither class loading nor first use.
            for (int round = 0; round < 2; round++) {
                closeAll(openIdle(server, n, new long[1]), true);
            }
            Map<String, Long> before = histogram();
            long[] startBytes = new long[1];
            Idle idle = openIdle(server, n, startBytes);
            Map<String, Long> after = histogram();
            for (String c : CLASSES) {
                print(c, after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L), n);
            }
            print("coio.lambdas", sum(after, true) - sum(before, true), n);
            print("coio.all", sum(after, false) - sum(before, false), n);
            System.out.printf("START_BYTES perThread=%d%n", startBytes[0] / n);
            printFrames(idle.handlers().get(0).getName());
            closeAll(idle, false);
        }
        System.out.println("DONE");
    }

    /**
     * Opens {@code n} connections to {@code server}, each served by a new thread that echoes one byte and then
     * waits in a read; returns once every serving thread is parked in that read (as a platform thread in a socket read
     * it reports RUNNABLE, so its stack says it: {@code NioSocketImpl.park}). Adds the bytes this
     * thread allocated inside the {@code start()} calls to {@code startBytes[0]}.
     */
    private static Idle openIdle(ServerSocket server, int n, long[] startBytes) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Socket> clients = new ArrayList<>();
        List<Thread> handlers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
            Socket accepted = server.accept();
            Thread t = new Thread(() -> serve(accepted), "idle-" + i);
            long allocated = mx.getCurrentThreadAllocatedBytes();
            t.start();
            startBytes[0] += mx.getCurrentThreadAllocatedBytes() - allocated;
            client.getOutputStream().write(1);
            if (client.getInputStream().read() != 1) {
                throw new IOException("no echo on connection " + i);
            }
            clients.add(client);
            handlers.add(t);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (Thread t : handlers) {
            while (!parkedInRead(t)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(t.getName() + " never parked in its read: " + t.getState());
                }
                Thread.sleep(1);
            }
        }
        return new Idle(clients, handlers);
    }

    private record Idle(List<Socket> clients, List<Thread> handlers) {
    }

    private static boolean parkedInRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("sun.nio.ch.NioSocketImpl") && e.getMethodName().equals("park")) {
                return true;
            }
        }
        return false;
    }

    private static void serve(Socket s) {
        try (s; InputStream in = s.getInputStream()) {
            int b;
            while ((b = in.read()) != -1) {
                s.getOutputStream().write(b);
            }
        } catch (IOException e) {
            System.out.println("handler error: " + e);
        }
    }

    private static void closeAll(Idle idle, boolean join) throws IOException, InterruptedException {
        for (Socket c : idle.clients()) {
            c.close();
        }
        for (Thread t : idle.handlers()) {
            if (join && !t.join(java.time.Duration.ofSeconds(60))) {
                throw new IllegalStateException(t.getName() + " did not end after its peer closed");
            }
        }
    }

    /** Prints the FRAMES line for the thread named {@code name}, from a thread dump of this JVM. */
    private static void printFrames(String name) throws IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("idle-frames");
        java.nio.file.Path dump = dir.resolve("threads.txt");
        try {
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
            int total = 0;
            int coio = 0;
            boolean in = false;
            for (String line : java.nio.file.Files.readAllLines(dump)) {
                if (line.startsWith("#")) {
                    in = line.contains("\"" + name + "\"");
                } else if (in && line.trim().startsWith("at ")) {
                    total++;
                    if (line.contains("io.coio.") || line.contains("CoioBridge")) {
                        coio++;
                    }
                }
            }
            System.out.printf("FRAMES thread=%s total=%d coio=%d%n", name, total, coio);
        } finally {
            java.nio.file.Files.deleteIfExists(dump);
            java.nio.file.Files.delete(dir);
        }
    }

    /** Live instances per class, from the DiagnosticCommand MBean's GC.class_histogram (a full GC first). */
    private static Map<String, Long> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, Long> counts = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                counts.merge(f[3], Long.parseLong(f[1]), Long::sum);
            }
        }
        return counts;
    }

    private static long sum(Map<String, Long> counts, boolean lambdasOnly) {
        long s = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String c = e.getKey();
            if (c.startsWith("io.coio.") && (!lambdasOnly || c.contains("$$Lambda"))) {
                s += e.getValue();
            }
        }
        return s;
    }

    private static void print(String what, long grown, int n) {
        System.out.printf("COUNT class=%s perThread=%.2f%n", what, (double) grown / n);
    }
}
