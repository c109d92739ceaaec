package example.bulk;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;

/**
 * An unmodified blocking HTTP/1.1 server that echoes request bodies: {@code POST /echo} answers 200 with the
 * request's body (read whole, then written whole, as an app that transforms a 1 MiB upload would);
 * {@code GET /stop} stops it. Args: {@code <httpcore|tomcat>}. Prints {@code PORT n}, then {@code STOPPED}.
 *
 * <p>{@code httpcore}: Apache HttpCore5's classic server ({@code ServerBootstrap}, one worker thread per
 * connection, socket streams). {@code tomcat}: embedded Tomcat 11, NIO connector, 200 workers, a servlet ({@code tomcat virtual}: its
 * workers on the JDK's virtual threads).
 */
public final class BulkHttpApp {
    public static void main(String[] args) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        switch (args[0]) {
            case "httpcore" -> httpCore(stop);
            case "tomcat" -> tomcat(stop, args.length > 1 && args[1].equals("virtual"));
            default -> throw new IllegalArgumentException("httpcore or tomcat: " + args[0]);
        }
        System.out.println("STOPPED");
    }

    private static void httpCore(CountDownLatch stop) throws Exception {
        HttpServer server = ServerBootstrap.bootstrap()
                .setLocalAddress(InetAddress.getLoopbackAddress())
                .setListenerPort(0)
                .setCanonicalHostName("127.0.0.1")
                .setSocketConfig(SocketConfig.custom().setSoTimeout(120, TimeUnit.SECONDS).setBacklogSize(1024).build())
                .register("*", (ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context) -> {
                    if (request.getPath().startsWith("/stop")) {
                        response.setCode(200);
                        response.setEntity(new ByteArrayEntity(new byte[0], ContentType.TEXT_PLAIN));
                        stop.countDown();
                        return;
                    }
                    byte[] body = request.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(request.getEntity());
                    response.setCode(200);
                    response.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_OCTET_STREAM));
                })
                .create();
        server.start();
        System.out.println("PORT " + server.getLocalPort());
        stop.await();
        server.close(CloseMode.IMMEDIATE);
    }

    private static void tomcat(CountDownLatch stop, boolean virtualWorkers) throws Exception {
        Path base = Files.createTempDirectory("tomcat-bulk");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "200");
        connector.setProperty("acceptCount", "1024");
        connector.setMaxPostSize(64 << 20);
        connector.setProperty("maxKeepAliveRequests", "-1"); // the load keeps its connections
        if (virtualWorkers) {
            connector.setProperty("useVirtualThreads", "true"); // its workers on the JDK's virtual threads
        }
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "echo", new EchoServlet(stop));
        context.addServletMappingDecoded("/*", "echo");
        tomcat.start();
        System.out.println("PORT " + connector.getLocalPort());
        stop.await();
        tomcat.stop();
        tomcat.destroy();
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static final class EchoServlet extends HttpServlet {
        private final transient CountDownLatch stop;

        EchoServlet(CountDownLatch stop) {
            this.stop = stop;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getRequestURI().startsWith("/stop")) {
                resp.setContentLength(0);
                stop.countDown();
            } else {
                resp.sendError(404);
            }
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            byte[] body = req.getInputStream().readAllBytes();
            resp.setContentType("application/octet-stream");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }
}
