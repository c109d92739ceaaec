package io.coio.it.peers;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * In-test-JVM HTTP client for content checks wrk cannot do (a body that depends on the request):
 * {@code HttpURLConnection} GETs from a small pool of platform threads, with a read time-out on each, and
 * for {@code https} a trust-all context (the servers use a self-signed certificate made by the test).
 *
 * <p>Thread-ownership: static; each request runs on one pool thread.
 */
final class HttpChecks {
    private HttpChecks() {}

    /** GET {@code base + path}: "status body", or throws. */
    static String get(String base, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        if (c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(TRUST_ALL);
            https.setHostnameVerifier((host, session) -> true);
        }
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        try {
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return status + " " + (in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            // No idle keep-alive connections left behind: the JDK HttpServer keeps at most 200 idle
            // connections (sun.net.httpserver.maxIdleConnections) and closes wrk's beyond that.
            c.disconnect();
        }
    }

    /**
     * GETs {@code /item/0 .. /item/count-1} with {@code concurrency} threads; returns how many answered 200
     * with exactly {@link example.peers.Replies#item} for their own N, and fails listing the first wrong ones.
     */
    static int verifyItems(String base, String server, int count, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                answers.add(pool.submit(() -> get(base, "/item/" + n)));
            }
            int ok = 0;
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String expected = "200 " + example.peers.Replies.item(server, i);
                String got;
                try {
                    got = answers.get(i).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    got = "failed: " + e;
                }
                if (got.equals(expected)) {
                    ok++;
                } else if (wrong.size() < 5) {
                    wrong.add("/item/" + i + " -> " + got.strip());
                }
            }
            if (ok != count) {
                throw new AssertionError((count - ok) + " of " + count + " /item/N answers wrong, e.g. " + wrong);
            }
            return ok;
        } finally {
            pool.shutdownNow();
        }
    }

    private static final SSLSocketFactory TRUST_ALL = trustAll();

    private static SSLSocketFactory trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx.getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
