package example.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Apache HttpClient 5 classic (blocking) with a pooling connection manager, from many app threads. Args:
 * {@code <baseUrl> <serverName> <threads> <requestsPerThread>}: each thread GETs {@code /item/N} for its own
 * N and checks status and body. Prints {@code RESULT requests=<ok> wrong=<n> errors=<n>}.
 */
public final class HttpClient5App {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        String server = args[1];
        int threads = Integer.parseInt(args[2]);
        int requests = Integer.parseInt(args[3]);
        AtomicLong ok = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager();
        connections.setMaxTotal(threads);
        connections.setDefaultMaxPerRoute(threads);
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(connections).build()) {
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < requests; i++) {
                        long n = worker * 10_000L + i;
                        try {
                            String body = client.execute(new HttpGet(base + "/item/" + n),
                                    response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));
                            if (body.equals("200 " + Replies.item(server, n))) {
                                ok.incrementAndGet();
                            } else if (wrong.incrementAndGet() <= 3) {
                                System.out.println("WRONG-ANSWER for " + n + ": " + body);
                            }
                        } catch (Exception e) {
                            if (errors.incrementAndGet() <= 5) {
                                System.out.println("REQUEST-FAILED " + n + ": " + e);
                            }
                        }
                    }
                }, "client-" + w);
                workers.add(t);
                t.start();
            }
            for (Thread t : workers) {
                t.join();
            }
        }
        System.out.println("RESULT requests=" + ok + " wrong=" + wrong + " errors=" + errors);
    }
}
