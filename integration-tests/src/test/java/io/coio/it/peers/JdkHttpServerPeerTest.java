package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import example.peers.JdkHttpServerApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JDK's own HttpServer, unmodified, with the two executors apps give it most often. */
@Timeout(150)
class JdkHttpServerPeerTest {

    @Test
    @DisplayName("JDK HttpServer + newFixedThreadPool(200): wrk and /item/N answers all right, clean stop, in all"
            + " four modes; under carriers=N far fewer OS threads than without the agent")
    void fixedPool() {
        PeerRuns.inEveryMode("jdk-httpserver-fixed", true, mode -> HttpServerScenario.run(mode,
                "jdk-httpserver-fixed", "http", JdkHttpServerApp.class, app -> { }, "fixed"));
    }

    @Test
    @DisplayName("JDK HttpServer + newCachedThreadPool(): the same promises")
    void cachedPool() {
        PeerRuns.inEveryMode("jdk-httpserver-cached", true, mode -> HttpServerScenario.run(mode,
                "jdk-httpserver-cached", "http", JdkHttpServerApp.class, app -> { }, "cached"));
    }

    @Test
    @DisplayName("JDK HttpServer stopped by a thread its handler starts (main already returned): that thread is"
            + " non-daemon like its parent, finishes the stop and prints, then the JVM exits 0")
    void stopFromHandlerThread() {
        PeerRuns.inEveryMode("jdk-httpserver-stopper", true, mode -> HttpServerScenario.run(mode,
                "jdk-httpserver-fixed", "http", JdkHttpServerApp.class,
                app -> assertEquals("false", app.awaitStdout("^STOPPER daemon=(\\w+)$").group(1),
                        "the stopper thread's daemon flag" + app.describeState()),
                "fixed", "stop-from-handler"));
    }
}
