package example.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat (NIO connector, up to 200 worker threads) with a blocking servlet. Prints {@code PORT n};
 * {@code GET /stop} stops it; prints {@code STOPPED}.
 */
public final class TomcatServletApp {
    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory("tomcat-app");
        CountDownLatch stop = new CountDownLatch(1);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "200");
        connector.setProperty("acceptCount", "1024");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "reply", new ReplyServlet("tomcat-servlet", stop));
        context.addServletMappingDecoded("/*", "reply");
        tomcat.start();
        System.out.println("PORT " + connector.getLocalPort());
        stop.await();
        tomcat.stop();
        tomcat.destroy();
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.println("STOPPED");
    }
}
