package io.coio.examples.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A deliberately broken echo server for testing that the load tool notices: each connection is
 * handled by {@link Behavior}, on its own daemon thread. Bound and accepting once constructed.
 */
final class MisbehavingServer implements AutoCloseable {

    interface Behavior {
        void handle(InputStream in, OutputStream out) throws IOException;
    }

    /** Echoes faithfully except that the byte at stream offset {@code offset} is changed. */
    static Behavior corruptsByteAt(long offset) {
        return (in, out) -> {
            long position = 0;
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (offset >= position && offset < position + n) {
                    buffer[(int) (offset - position)] ^= 0x01;
                }
                position += n;
                out.write(buffer, 0, n);
            }
        };
    }

    /** Reads and discards everything, never answers. */
    static Behavior neverAnswers() {
        return (in, out) -> in.transferTo(OutputStream.nullOutputStream());
    }

    /** Echoes the first {@code bytes} bytes, then closes. */
    static Behavior closesAfter(int bytes) {
        return (in, out) -> out.write(in.readNBytes(bytes));
    }

    private final ServerSocket serverSocket;
    private final Thread acceptor;

    MisbehavingServer(Behavior behavior) throws IOException {
        serverSocket = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("misbehaving-acceptor").start(() -> {
            try {
                while (true) {
                    Socket socket = serverSocket.accept();
                    Thread.ofPlatform().daemon().start(() -> {
                        try (socket) {
                            behavior.handle(socket.getInputStream(), socket.getOutputStream());
                        } catch (IOException e) {
                            // the client gave up on us: expected in these tests
                        }
                    });
                }
            } catch (IOException closed) {
                // close() was called
            }
        });
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
