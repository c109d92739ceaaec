package io.coio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * A classic thread-per-connection echo server: {@link ServerSocket} accept loop, one thread per
 * client, blocking {@link InputStream} reads written straight back to the {@link OutputStream}.
 *
 * <p>This is the "unmodified app" of the coio demo: it knows nothing about coio. Under the agent
 * each {@code new Thread(...).start()} becomes a coroutine and each blocking read a yield, so the
 * same code serves thousands of connections on a few OS threads.
 *
 * <pre>
 *   java -cp coio-examples.jar io.coio.examples.EchoServer [port] [--virtual] [--bind ADDR]
 * </pre>
 * {@code --virtual} starts each handler with {@code Thread.ofVirtual()} instead of
 * {@code new Thread}: the same code on JDK virtual threads, for the benchmark.
 */
public final class EchoServer implements AutoCloseable {

    // Clients in the benchmark connect a few thousand sockets in a burst; the JDK default of 50
    // would overflow the accept queue and turn into SYN retransmits (1 s stalls).
    static final int BACKLOG = 1024;

    private final ServerSocket serverSocket;
    private final boolean virtual;

    public EchoServer(InetAddress bind, int port, boolean virtual) throws IOException {
        this.serverSocket = new ServerSocket(port, BACKLOG, bind);
        this.virtual = virtual;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Accepts connections until {@link #close()} is called. */
    public void serve() throws IOException {
        long connectionNumber = 0;
        while (true) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (SocketException e) {
                if (serverSocket.isClosed()) {
                    return; // close() was called: normal shutdown
                }
                throw e;
            }
            Runnable handler = new EchoHandler(socket);
            connectionNumber++;
            if (virtual) {
                Thread.ofVirtual().name("echo-" + connectionNumber).start(handler);
            } else {
                new Thread(handler, "echo-" + connectionNumber).start();
            }
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }

    /** Echoes every byte back until the client closes its side. */
    static final class EchoHandler implements Runnable {
        private final Socket socket;

        EchoHandler(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try (socket) {
                // Request/response traffic: do not let Nagle hold back a reply (Netty does the same by default).
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                System.err.println("echo: connection error: " + e);
            }
        }
    }

    public static void main(String[] args) throws IOException {
        ServerArgs parsed = ServerArgs.parse("EchoServer [port] [--virtual] [--bind ADDR]", args, "--virtual");
        try (EchoServer server = new EchoServer(parsed.bind(), parsed.port(), parsed.has("--virtual"))) {
            System.out.println("listening on " + server.port());
            System.out.flush();
            server.serve();
        }
    }
}
