package example.peers;

import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A Jetty 12 core {@code Handler} app (blocking: each request holds a pool thread while it waits for its
 * downstream call). Args: {@code plain} or {@code tls <keystore.p12>}. {@code GET /stop} stops it.
 */
public final class JettyHandlerApp {
    public static void main(String[] args) throws Exception {
        boolean tls = args[0].equals("tls");
        String name = tls ? "jetty-handler-tls" : "jetty-handler";
        CountDownLatch stop = new CountDownLatch(1);
        Handler handler = new Handler.Abstract() { // Abstract = may block (Jetty runs it on a pool thread)
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                String body;
                if (path.equals("/stop")) {
                    body = "stopping\n";
                    stop.countDown();
                } else {
                    Replies.callDownstream();
                    body = Replies.forPath(name, path);
                    if (body == null) {
                        Response.writeError(request, response, callback, 404);
                        return true;
                    }
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                Content.Sink.write(response, true, body, callback);
                return true;
            }
        };
        JettyServers.run(JettyServers.pool(), handler, tls ? args[1] : null, stop);
    }

}
