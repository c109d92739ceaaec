package io.coio.it.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A line-protocol client connection to an app under test, with a read timeout on every answer. */
public final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final PrintWriter out;
    private final String name;

    public LineClient(int port, Duration readTimeout, String name) {
        this.name = name;
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + name + " to port " + port, e);
        }
    }

    public void send(String line) {
        out.println(line);
    }

    /** Reads one answer line; fails with {@code context} if none arrives within the read timeout. */
    public String receive(String context) {
        try {
            String line = in.readLine();
            if (line == null) {
                throw new AssertionError(name + ": connection closed by the app while waiting for an answer; " + context);
            }
            return line;
        } catch (SocketTimeoutException e) {
            throw new AssertionError(name + ": no answer within " + soTimeout() + " ms; " + context, e);
        } catch (IOException e) {
            throw new AssertionError(name + ": " + e + "; " + context, e);
        }
    }

    public String call(String line, String context) {
        send(line);
        return receive(context);
    }

    /** Whether an answer (or part of one) is readable without blocking. */
    public boolean hasAnswerWaiting() throws IOException {
        return in.ready() || socket.getInputStream().available() > 0;
    }

    private int soTimeout() {
        try {
            return socket.getSoTimeout();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test connection: nothing to do
        }
    }
}
