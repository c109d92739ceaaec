package example.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * OkHttp (blocking {@code Call.execute()}) from many app threads. Args:
 * {@code <baseUrl> <serverName> <threads> <requestsPerThread>}: each thread GETs {@code /item/N} for its own
 * N and checks status and body; at the end the app shuts OkHttp's threads down as its docs say. Prints
 * {@code RESULT requests=<ok> wrong=<n> errors=<n>}.
 */
public final class OkHttpApp {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        String server = args[1];
        int threads = Integer.parseInt(args[2]);
        int requests = Integer.parseInt(args[3]);
        AtomicLong ok = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(threads, 30, TimeUnit.SECONDS))
                .build();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            Thread t = new Thread(() -> {
                for (int i = 0; i < requests; i++) {
                    long n = worker * 10_000L + i;
                    Request request = new Request.Builder().url(base + "/item/" + n).build();
                    try (Response response = client.newCall(request).execute()) {
                        String body = response.code() + " " + response.body().string();
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
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.out.println("RESULT requests=" + ok + " wrong=" + wrong + " errors=" + errors);
    }
}
