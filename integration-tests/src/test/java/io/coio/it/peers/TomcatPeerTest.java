package io.coio.it.peers;

import example.peers.TomcatServletApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Embedded Tomcat 11 (NIO connector, 200 workers) with a blocking servlet, unmodified. */
@Timeout(150)
class TomcatPeerTest {

    @Test
    @DisplayName("Tomcat embedded, blocking servlet: wrk and /item/N answers all right, clean stop, in all four"
            + " modes; under carriers=N far fewer OS threads than without the agent")
    void blockingServlet() {
        PeerRuns.inEveryMode("tomcat-servlet", true, mode -> HttpServerScenario.run(mode, "tomcat-servlet", "http",
                TomcatServletApp.class, app -> { }));
    }
}
