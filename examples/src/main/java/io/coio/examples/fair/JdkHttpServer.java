package io.coio.examples.fair;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The JDK's {@code com.sun.net.httpserver.HttpServer} on {@code Executors.newFixedThreadPool(200)}, unmodified:
 * {@code GET /hello} answers at once, {@code GET /cpu?ms=N} computes for N ms (default 300) first. Prints
 * {@code listening on <port>}. Usage: {@code JdkHttpServer [port]}.
 */
public final class JdkHttpServer {
    private JdkHttpServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.createContext("/", JdkHttpServer::handle);
        server.setExecutor(Executors.newFixedThreadPool(200));
        server.start();
        System.out.println("listening on " + server.getAddress().getPort());
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String body;
            int status = 200;
            if (path.equals("/cpu")) {
                body = "cpu " + CpuWork.spin(CpuWork.millisOf(exchange.getRequestURI().getQuery())) + "\n";
            } else if (path.equals("/hello")) {
                body = "hello\n";
            } else {
                body = "no such path\n";
                status = 404;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
