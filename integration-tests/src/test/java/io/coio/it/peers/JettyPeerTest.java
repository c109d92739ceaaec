package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import example.peers.JettyHandlerApp;
import example.peers.JettyServletApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jetty 12, unmodified: a core Handler app, an ee10 servlet app, and the Handler app behind TLS
 * ({@code SslConnectionFactory}, a self-signed keystore made here with the JDK's {@code keytool}). Beyond
 * the HTTP checks, each run checks Jetty's own pool after the load: it shrank back after its idle timeout,
 * its thread set holds no dead thread, and the stop logs no {@code Couldn't stop} (a trouble line).
 */
@Timeout(150)
class JettyPeerTest {
    private static Path keystoreDir;
    private static Path keystore;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystoreDir = Files.createTempDirectory("coio-it-tls");
        keystore = keystoreDir.resolve("server.p12");
        Path keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool");
        Services.runOk(List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass",
                "changeit"), 120);
    }

    @AfterAll
    static void deleteKeystore() {
        Services.deleteTree(keystoreDir);
    }

    /** The pool report must say: shrank back to its minimum, and no dead thread left in its thread set. */
    static final Consumer<AgentJvm> POOL_CLEAN = app -> {
        Matcher m = app.awaitStdout("^POOL before=(\\d+) now=(\\d+) shrunk=(\\w+) inSet=(\\d+) dead=(\\d+)");
        System.out.println("[peers]   jetty pool after load: " + m.group());
        assertEquals("true", m.group(3), "pool did not shrink back after its idle timeout: " + m.group());
        assertEquals("0", m.group(5), "dead threads left in QueuedThreadPool's thread set: " + m.group());
    };

    @Test
    @DisplayName("Jetty 12 Handler app: wrk and /item/N all right, pool shrinks with no dead thread left, clean"
            + " stop, in all four modes; under carriers=N far fewer OS threads than without the agent")
    void handler() {
        PeerRuns.inEveryMode("jetty-handler", true, mode -> HttpServerScenario.run(mode, "jetty-handler", "http",
                JettyHandlerApp.class, POOL_CLEAN, "plain"));
    }

    @Test
    @DisplayName("Jetty 12 servlet app: the same promises")
    void servlet() {
        PeerRuns.inEveryMode("jetty-servlet", true, mode -> HttpServerScenario.run(mode, "jetty-servlet", "http",
                JettyServletApp.class, POOL_CLEAN));
    }

    @Test
    @DisplayName("Jetty 12 Handler app behind TLS (SslConnectionFactory): the same promises over https")
    void tls() {
        PeerRuns.inEveryMode("jetty-handler-tls", true, mode -> HttpServerScenario.run(mode, "jetty-handler-tls",
                "https", JettyHandlerApp.class, POOL_CLEAN, "tls", keystore));
    }
}
