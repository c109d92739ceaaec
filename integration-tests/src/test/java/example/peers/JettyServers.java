package example.peers;

import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * How the example Jetty apps set up their server: a {@link QueuedThreadPool} of up to 200 threads that
 * shrinks to 8 after 500 ms idle (all idle threads at once), one loopback connector (plain HTTP, or TLS with
 * a PKCS12 keystore), then the app's handler. {@link #run} prints {@code PORT n}, serves until the app's
 * handler counts down the stop latch, prints the pool report, stops, prints {@code STOPPED}.
 */
public final class JettyServers {
    private JettyServers() {}

    public static QueuedThreadPool pool() {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8, 500);
        pool.setReservedThreads(0);
        pool.setMaxEvictCount(1000);
        pool.setName("qtp-app");
        return pool;
    }

    /** {@code keystore} null: plain HTTP; else TLS with that PKCS12 keystore (password {@code changeit}). */
    public static void run(QueuedThreadPool pool, Handler handler, String keystore, CountDownLatch stop)
            throws Exception {
        Server server = new Server(pool);
        ServerConnector connector;
        if (keystore == null) {
            connector = new ServerConnector(server);
        } else {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(keystore);
            tls.setKeyStorePassword("changeit");
            tls.setKeyStoreType("PKCS12");
            HttpConfiguration https = new HttpConfiguration();
            https.addCustomizer(new SecureRequestCustomizer(false)); // clients connect by IP, no SNI name
            connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                    new HttpConnectionFactory(https));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        System.out.println("PORT " + connector.getLocalPort());
        stop.await();
        JettyPoolReport.print(pool);
        server.stop();
        System.out.println("STOPPED");
    }
}
