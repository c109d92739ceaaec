package example.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * OkHttp's MockWebServer (a thread per connection; the way many test suites fake an HTTP service) and an OkHttp
 * client in the same app. Args: {@code <threads>}. Each plain app thread makes 10 requests (GETs and POSTs with
 * bodies of its own length) and one that gets a 503; then 5 asynchronous {@code enqueue} calls (OkHttp's dispatcher
 * threads, whose task runner waits in {@code Object.wait}). Prints sorted lines, the server's request count and
 * {@code RESULT ok=<n> wrong=<n>}: the same text in every JVM.
 */
public final class MockWebServerApp {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                String path = r.getUrl().encodedPath();
                if (path.startsWith("/unavailable")) {
                    return new MockResponse.Builder().code(503).body("try later").build();
                }
                long length = r.getBody() == null ? 0 : r.getBody().size();
                return new MockResponse.Builder().body("echo " + path + " " + length).build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        OkHttpClient client = new OkHttpClient.Builder().readTimeout(30, TimeUnit.SECONDS).build();
        long ok = Callers.runAndPrint(threads, "mws-caller-", id -> calls(server, client, id));
        CountDownLatch answered = new CountDownLatch(5);
        List<String> async = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 5; i++) {
            client.newCall(new Request.Builder().url(server.url("/async/" + i)).build()).enqueue(new Callback() {
                @Override
                public void onResponse(Call call, Response response) throws IOException {
                    async.add(response.body().string());
                    answered.countDown();
                }

                @Override
                public void onFailure(Call call, IOException e) {
                    async.add("failed " + e);
                    answered.countDown();
                }
            });
        }
        System.out.println("async answered=" + answered.await(30, TimeUnit.SECONDS) + " " + new TreeSet<>(async));
        System.out.println("server requests " + server.getRequestCount());
        server.close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.out.println("RESULT ok=" + ok + " wrong=" + (threads - ok));
    }

    private static String calls(MockWebServer server, OkHttpClient client, int id) {
        StringBuilder seen = new StringBuilder();
        boolean right = true;
        try {
            for (int k = 0; k < 10; k++) {
                String path = (k % 2 == 0 ? "/get/" : "/post/") + id + "/" + k;
                Request.Builder request = new Request.Builder().url(server.url(path));
                int length = k % 2 == 0 ? 0 : id * 100 + k;
                if (length > 0) {
                    request.post(RequestBody.create("x".repeat(length), MediaType.get("text/plain")));
                }
                try (Response response = client.newCall(request.build()).execute()) {
                    String body = response.body().string();
                    right &= response.code() == 200 && body.equals("echo " + path + " " + length);
                    seen.append(body.length()).append(',');
                }
            }
            try (Response response = client.newCall(new Request.Builder().url(server.url("/unavailable")).build()).execute()) {
                String body = response.body().string();
                right &= response.code() == 503 && body.equals("try later");
                seen.append(" ").append(response.code());
            }
            return String.format("caller %02d %s %s", id, seen, right ? "ok" : "WRONG");
        } catch (IOException e) {
            return String.format("caller %02d failed: %s", id, e);
        }
    }
}
