package io.coio.examples.fair;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat 11 (NIO connector, up to 200 worker threads) with one servlet, unmodified: {@code GET /hello}
 * answers a short text at once, {@code GET /cpu?ms=N} computes for N ms (default 300) first. Prints
 * {@code listening on <port>}. Usage: {@code TomcatServer [port]}.
 */
public final class TomcatServer {
    private TomcatServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Path base = Files.createTempDirectory("coio-tomcat");
        base.toFile().deleteOnExit();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "200");
        connector.setProperty("acceptCount", "1024");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "fair", new Servlet());
        context.addServletMappingDecoded("/*", "fair");
        tomcat.start();
        System.out.println("listening on " + connector.getLocalPort());
        tomcat.getServer().await();
    }

    /** {@code /hello} and {@code /cpu?ms=N}. */
    static final class Servlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String body;
            if (req.getRequestURI().equals("/cpu")) {
                body = "cpu " + CpuWork.spin(CpuWork.millisOf(req.getQueryString())) + "\n";
            } else if (req.getRequestURI().equals("/hello")) {
                body = "hello\n";
            } else {
                resp.sendError(404);
                return;
            }
            resp.setContentType("text/plain");
            resp.setCharacterEncoding("UTF-8");
            resp.getWriter().write(body);
        }
    }
}
