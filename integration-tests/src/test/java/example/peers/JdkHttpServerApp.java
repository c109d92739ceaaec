package example.peers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JDK's own {@code com.sun.net.httpserver.HttpServer} with an executor of the app's choice:
 * {@code fixed} = {@code Executors.newFixedThreadPool(200)}, {@code cached} = {@code newCachedThreadPool()}.
 * Every request waits {@link Replies#DOWNSTREAM_MILLIS} (a downstream call), so many requests are in flight
 * at once: one worker thread each. Prints {@code PORT n}; {@code GET /stop} stops it; then prints
 * {@code STOPPED served=n} and main returns.
 *
 * <p>With a second argument {@code stop-from-handler}, main returns right after the start (the server's own
 * non-daemon dispatcher thread keeps the JVM alive), and {@code /stop} starts a plain {@code new Thread}
 * from the pool worker that handles it, which stops the server and prints {@code STOPPED}: that thread is
 * non-daemon like its parent, so the JVM waits for it.
 */
public final class JdkHttpServerApp {
    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicLong served = new AtomicLong();
    private volatile boolean stopFromHandler;

    public JdkHttpServerApp(String pool) throws IOException {
        executor = switch (pool) {
            case "fixed" -> Executors.newFixedThreadPool(200);
            case "cached" -> Executors.newCachedThreadPool();
            default -> throw new IllegalArgumentException("pool must be fixed or cached: " + pool);
        };
        String name = "jdk-httpserver-" + pool;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.createContext("/", exchange -> handle(exchange, name));
        server.setExecutor(executor);
    }

    private void handle(HttpExchange exchange, String name) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String body;
            int status;
            if (path.equals("/stop")) {
                body = "stopping\n";
                status = 200;
                stopRequested.countDown();
                if (stopFromHandler) {
                    Thread stopper = new Thread(this::stopAndReport, "app-stopper");
                    System.out.println("STOPPER daemon=" + stopper.isDaemon());
                    stopper.start();
                }
            } else {
                Replies.callDownstream();
                body = Replies.forPath(name, path);
                status = body == null ? 404 : 200;
                if (body == null) {
                    body = "no such path\n";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            served.incrementAndGet();
        }
    }

    public int start() {
        server.start();
        return server.getAddress().getPort();
    }

    public void awaitStopRequest() throws InterruptedException {
        stopRequested.await();
    }

    /** Stops accepting, lets exchanges finish (at most 1 s), then ends the pool's threads. */
    public long stop() throws InterruptedException {
        server.stop(1);
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            System.out.println("ERROR: executor threads did not end within 30 s");
        }
        return served.get();
    }

    private void stopAndReport() {
        try {
            System.out.println("STOPPED served=" + stop());
        } catch (InterruptedException e) {
            System.out.println("ERROR: interrupted while stopping");
        }
    }

    public static void main(String[] args) throws Exception {
        JdkHttpServerApp app = new JdkHttpServerApp(args[0]);
        app.stopFromHandler = args.length > 1 && args[1].equals("stop-from-handler");
        System.out.println("PORT " + app.start());
        if (!app.stopFromHandler) {
            app.awaitStopRequest();
            app.stopAndReport();
        }
    }
}
