package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import example.peers.HttpClient5App;
import example.peers.JdkHttpServerApp;
import example.peers.OkHttpApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.ThreadPeak;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Blocking HTTP clients, unmodified, as the app under test (the server is the example JDK HttpServer with a
 * cached pool, run without any agent inside the test JVM): 64 app threads × 16 requests, every body checked
 * by the app; the client process's OS threads are reported.
 */
@Timeout(150)
class HttpClientPeerTest {
    static final int THREADS = 64;
    static final int REQUESTS = 16;
    static final String SERVER = "jdk-httpserver-cached";
    private static JdkHttpServerApp server;
    private static String base;

    @BeforeAll
    static void startServer() throws Exception {
        server = new JdkHttpServerApp("cached");
        base = "http://127.0.0.1:" + server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private static PeerRuns.Outcome runClient(PeerMode mode, Class<?> client) {
        try (AgentJvm app = mode.app(client, base, SERVER, THREADS, REQUESTS).start()) {
            ThreadPeak peak = ThreadPeak.start(app);
            Matcher r = app.awaitStdout("^RESULT requests=(\\d+) wrong=(\\d+) errors=(\\d+)$", Duration.ofSeconds(120));
            int peakThreads = peak.stop();
            int total = THREADS * REQUESTS;
            assertEquals(total + " 0 0", r.group(1) + " " + r.group(2) + " " + r.group(3),
                    "requests ok / wrong / errors" + app.describeState());
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            return new PeerRuns.Outcome(peakThreads, total + "/" + total + " /item/N bodies verified by the app; exit 0",
                    app);
        }
    }

    @Test
    @DisplayName("Apache HttpClient 5 classic, 64 threads: every answer right, clean exit, in all four modes")
    void apacheHttpClient5() {
        PeerRuns.inEveryMode("httpclient5-classic", true, mode -> runClient(mode, HttpClient5App.class));
    }

    @Test
    @DisplayName("OkHttp, blocking execute(), 64 threads: every answer right, clean exit, in all four modes")
    void okHttp() {
        PeerRuns.inEveryMode("okhttp", true, mode -> runClient(mode, OkHttpApp.class));
    }
}
