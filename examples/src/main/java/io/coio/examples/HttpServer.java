package io.coio.examples;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A small blocking HTTP/1.1 server written the old-fashioned way: one thread per connection,
 * {@link BufferedReader#readLine()} for the request head, a {@link BufferedWriter} for the reply,
 * persistent (keep-alive) connections.
 *
 * <p>{@code GET /} and {@code GET /hello} answer a short text body with {@code Content-Length};
 * other paths get 404, other methods 405. Like {@link EchoServer} it has no idea coio exists.
 *
 * <pre>
 *   java -cp coio-examples.jar io.coio.examples.HttpServer [port] [--bind ADDR]
 *   curl http://127.0.0.1:PORT/hello
 * </pre>
 */
public final class HttpServer implements AutoCloseable {

    static final String ROOT_BODY = "Hello from a plain blocking Java server.\n";
    static final String HELLO_BODY = "hello, world\n";
    static final String NOT_FOUND_BODY = "not found\n";

    private final ServerSocket serverSocket;

    public HttpServer(InetAddress bind, int port) throws IOException {
        this.serverSocket = new ServerSocket(port, EchoServer.BACKLOG, bind);
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
                    return;
                }
                throw e;
            }
            connectionNumber++;
            new Thread(new Connection(socket), "http-" + connectionNumber).start();
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }

    /** Serves requests on one connection until the client closes it or asks for {@code Connection: close}. */
    static final class Connection implements Runnable {
        private final Socket socket;

        Connection(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try (socket) {
                // HTTP/1.1 heads are ISO-8859-1 text; this charset also maps each byte to one char,
                // so skipping Content-Length chars skips exactly that many body bytes.
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                Writer out = new BufferedWriter(
                        new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.ISO_8859_1));
                while (serveOne(in, out)) {
                    // keep-alive: next request on the same connection
                }
            } catch (IOException e) {
                System.err.println("http: connection error: " + e);
            }
        }

        /** Reads one request and answers it; returns whether the connection stays open. */
        private boolean serveOne(BufferedReader in, Writer out) throws IOException {
            String requestLine = in.readLine();
            while (requestLine != null && requestLine.isEmpty()) {
                requestLine = in.readLine(); // RFC 9112 §2.2: ignore empty lines before a request
            }
            if (requestLine == null) {
                return false; // client closed the connection
            }
            String[] parts = requestLine.split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                respond(out, 400, "Bad Request", "bad request\n", false, true);
                return false;
            }
            String method = parts[0];
            String path = parts[1];
            boolean http11 = parts[2].equals("HTTP/1.1");

            Map<String, String> headers = readHeaders(in);
            if (headers == null) {
                return false; // closed in the middle of the head
            }
            if (headers.containsKey("transfer-encoding")) {
                respond(out, 501, "Not Implemented", "chunked request bodies are not supported\n", false, true);
                return false;
            }
            long bodyLength;
            try {
                bodyLength = Long.parseLong(headers.getOrDefault("content-length", "0"));
            } catch (NumberFormatException e) {
                respond(out, 400, "Bad Request", "bad Content-Length\n", false, true);
                return false;
            }
            skipBody(in, bodyLength); // GETs rarely carry one, but it must not be parsed as the next request

            String connection = headers.getOrDefault("connection", "");
            boolean keepAlive = http11 ? !connection.equalsIgnoreCase("close") : connection.equalsIgnoreCase("keep-alive");
            boolean sendBody = !method.equals("HEAD");

            if (!method.equals("GET") && !method.equals("HEAD")) {
                respond(out, 405, "Method Not Allowed", "only GET and HEAD\n", keepAlive, sendBody);
            } else if (path.equals("/")) {
                respond(out, 200, "OK", ROOT_BODY, keepAlive, sendBody);
            } else if (path.equals("/hello")) {
                respond(out, 200, "OK", HELLO_BODY, keepAlive, sendBody);
            } else {
                respond(out, 404, "Not Found", NOT_FOUND_BODY, keepAlive, sendBody);
            }
            return keepAlive;
        }

        /** Header names lower-cased; {@code null} if the stream ended before the blank line. */
        private static Map<String, String> readHeaders(BufferedReader in) throws IOException {
            Map<String, String> headers = new HashMap<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    return headers;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            return null;
        }

        private static void skipBody(BufferedReader in, long length) throws IOException {
            long remaining = length;
            while (remaining > 0) {
                long skipped = in.skip(remaining);
                if (skipped <= 0) {
                    throw new IOException("connection closed inside the request body");
                }
                remaining -= skipped;
            }
        }

        private static void respond(Writer out, int status, String reason, String body,
                                    boolean keepAlive, boolean sendBody) throws IOException {
            // Bodies are ASCII, so their length in chars is their length in bytes.
            out.write("HTTP/1.1 " + status + " " + reason + "\r\n");
            out.write("Content-Type: text/plain; charset=us-ascii\r\n");
            out.write("Content-Length: " + body.length() + "\r\n");
            if (!keepAlive) {
                out.write("Connection: close\r\n");
            }
            out.write("\r\n");
            if (sendBody) {
                out.write(body);
            }
            out.flush();
        }
    }

    public static void main(String[] args) throws IOException {
        ServerArgs parsed = ServerArgs.parse("HttpServer [port] [--bind ADDR]", args);
        try (HttpServer server = new HttpServer(parsed.bind(), parsed.port())) {
            System.out.println("listening on " + server.port());
            System.out.flush();
            server.serve();
        }
    }
}
