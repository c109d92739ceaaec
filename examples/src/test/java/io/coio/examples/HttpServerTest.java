package io.coio.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** {@link HttpServer} speaks enough HTTP/1.1 for keep-alive clients: several requests, one connection. */
@Timeout(30)
class HttpServerTest {

    private HttpServer server;
    private Thread acceptor;

    @BeforeEach
    void start() throws IOException {
        server = new HttpServer(InetAddress.getLoopbackAddress(), 0); // bound on return
        acceptor = Thread.ofPlatform().name("test-acceptor").start(() -> {
            try {
                server.serve();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join(5_000);
    }

    @Test
    void answersTwoKeepAliveRequestsOnOneConnection() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            out.write("GET / HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response first = Response.read(in);
            out.write("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Response second = Response.read(in);

            assertEquals("HTTP/1.1 200 OK", first.statusLine());
            assertEquals(HttpServer.ROOT_BODY, first.body());
            assertEquals("HTTP/1.1 200 OK", second.statusLine());
            assertEquals(HttpServer.HELLO_BODY, second.body());
            assertEquals(Integer.toString(HttpServer.HELLO_BODY.length()), second.headers().get("content-length"));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            assertEquals(HttpServer.HELLO_BODY, Response.read(in).body());
            Response notFound = Response.read(in);
            assertEquals("HTTP/1.1 404 Not Found", notFound.statusLine());
            assertEquals(HttpServer.NOT_FOUND_BODY, notFound.body());
        }
    }

    @Test
    void connectionCloseEndsTheConnectionAfterTheResponse() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            Response response = Response.read(in);
            assertEquals("close", response.headers().get("connection"));
            assertEquals(HttpServer.ROOT_BODY, response.body());
            assertEquals(-1, in.read());
        }
    }

    @Test
    void otherMethodsGet405AndKeepTheConnection() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 405 Method Not Allowed", Response.read(in).statusLine());

            // The POST body was skipped, not parsed as the next request.
            out.write("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(HttpServer.HELLO_BODY, Response.read(in).body());
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** A minimal HTTP/1.1 response reader: head up to the blank line, then Content-Length bytes. */
    record Response(String statusLine, Map<String, String> headers, String body) {

        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            Map<String, String> headers = new HashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            String length = headers.get("content-length");
            assertNotNull(length, "response without Content-Length: " + statusLine);
            byte[] body = in.readNBytes(Integer.parseInt(length));
            return new Response(statusLine, headers, new String(body, StandardCharsets.US_ASCII));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b == -1) {
                    throw new IOException("connection closed inside a response head");
                }
                bytes.write(b);
            }
            String line = bytes.toString(StandardCharsets.US_ASCII);
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        }
    }
}
