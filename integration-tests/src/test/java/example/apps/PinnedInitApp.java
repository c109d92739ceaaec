package example.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A thread-per-connection line server where one command triggers a class initializer that does blocking
 * socket I/O: a thread inside {@code <clinit>} cannot yield (it is pinned). No coio imports.
 *
 * <p>Usage: {@code PinnedInitApp <release port>}. Commands: {@code echo <text>} answers
 * {@code echo <text>}; {@code whoami} answers {@code virtual=<b> coio=<b>}; {@code init} touches
 * {@link SlowConfig}, whose static initializer connects to 127.0.0.1:&lt;release port&gt;, prints
 * {@code clinit connected}, and reads one line from there (it stays blocked until the other side
 * writes), then the command answers {@code init <that line>}; {@code quit} exits the JVM with code 0.
 */
public final class PinnedInitApp {
    static int releasePort;

    public static void main(String[] args) throws IOException {
        releasePort = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on " + server.getLocalPort());
            while (true) {
                Socket s = server.accept();
                new Thread(() -> handle(s)).start();
            }
        }
    }

    private static void handle(Socket s) {
        try (s;
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("echo ")) {
                    out.println(line);
                } else if (line.equals("whoami")) {
                    Thread me = JvmThread.current();
                    out.println("virtual=" + me.isVirtual() + " coio=" + me.toString().contains("@coio-carrier-"));
                } else if (line.equals("init")) {
                    out.println("init " + SlowConfig.VALUE);
                } else if (line.equals("quit")) {
                    System.out.println("quitting");
                    System.exit(0);
                } else {
                    out.println("unknown " + line);
                }
            }
        } catch (IOException e) {
            System.out.println("handler error: " + e);
        }
    }

    /** Its initializer blocks on a socket read until the test releases it. */
    static final class SlowConfig {
        static final String VALUE;

        static {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), releasePort)) {
                System.out.println("clinit connected");
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                VALUE = r.readLine();
                System.out.println("clinit read " + VALUE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private SlowConfig() {}
    }
}
