package example.peers;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/** A blocking servlet (used by the Jetty and Tomcat servlet apps): waits for its downstream call, then writes. */
public final class ReplyServlet extends HttpServlet {
    private final String name;
    private final transient CountDownLatch stop;

    public ReplyServlet(String name, CountDownLatch stop) {
        this.name = name;
        this.stop = stop;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI();
        String body;
        if (path.equals("/stop")) {
            body = "stopping\n";
            stop.countDown();
        } else {
            Replies.callDownstream();
            body = Replies.forPath(name, path);
            if (body == null) {
                resp.sendError(404);
                return;
            }
        }
        resp.setContentType("text/plain");
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().write(body);
    }
}
