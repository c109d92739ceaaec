package example.peers;

import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/** A Jetty 12 ee10 servlet app with a blocking {@code HttpServlet}. {@code GET /stop} stops it. */
public final class JettyServletApp {
    public static void main(String[] args) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new ReplyServlet("jetty-servlet", stop)), "/*");
        JettyServers.run(JettyServers.pool(), context, null, stop);
    }
}
