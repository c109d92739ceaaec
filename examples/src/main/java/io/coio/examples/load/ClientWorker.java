package io.coio.examples.load;

import io.coio.examples.load.RunState.ErrorKind;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client thread: drives its share of the connections with one NIO {@link Selector}, so one or
 * two threads can keep 10,000 connections busy without becoming the bottleneck on a small machine.
 * Every byte echoed back is compared with the byte sent. All state is confined to this worker's
 * thread, except the {@link RunState} it reports to and {@link #latencies}, read after it ends.
 */
final class ClientWorker implements Runnable {

    private static final int READ_CHUNK = 64 * 1024;

    private final LoadOptions options;
    private final InetSocketAddress server;
    private final RunState state;
    private final List<Connection> connections = new ArrayList<>();
    private final byte[] readBytes = new byte[READ_CHUNK];
    private final ByteBuffer readBuffer = ByteBuffer.wrap(readBytes);
    private final int connectLimit;
    final LatencyHistogram latencies = new LatencyHistogram();

    private Selector selector;
    private int active; // connections still doing round trips

    /** Takes connection numbers {@code first, first + stride, ...} below {@code options.connections}. */
    ClientWorker(LoadOptions options, InetSocketAddress server, RunState state, int first, int stride) {
        this.options = options;
        this.server = server;
        this.state = state;
        for (int id = first; id < options.connections; id += stride) {
            connections.add(new Connection(id, options.payloadBytes));
        }
        this.connectLimit = Math.max(1, options.connectConcurrency / stride);
    }

    @Override
    public void run() {
        try (Selector s = Selector.open()) {
            selector = s;
            try {
                connectAll();
            } finally {
                state.connected.countDown();
            }
            try {
                if (state.await(state.start, TimeUnit.SECONDS.toNanos(10))) {
                    roundTrips();
                }
            } finally {
                state.done.countDown();
            }
            state.await(state.release, Long.MAX_VALUE / 2); // main releases after measuring; no deadline here (--hold-s)
        } catch (IOException e) {
            state.error(ErrorKind.IO, "client selector: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeAll();
        }
    }

    /** Opens every connection, at most {@link #connectLimit} connects in flight. */
    private void connectAll() throws IOException {
        int next = 0;
        int inFlight = 0;
        while ((next < connections.size() || inFlight > 0) && !state.expired()) {
            while (next < connections.size() && inFlight < connectLimit) {
                Connection c = connections.get(next++);
                if (startConnect(c)) {
                    inFlight++;
                }
            }
            select();
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                try {
                    if (c.channel.finishConnect()) {
                        inFlight--;
                        key.interestOps(0);
                        c.connected = true;
                        state.open.incrementAndGet();
                    }
                } catch (IOException e) {
                    inFlight--;
                    fail(c, ErrorKind.CONNECT, "connection " + c.id + ": " + e);
                }
            }
            selector.selectedKeys().clear();
        }
        for (Connection c : connections) {
            if (!c.connected && !c.failed) {
                fail(c, ErrorKind.TIMEOUT, "connection " + c.id + " not established before the deadline");
            }
        }
    }

    /** Returns whether a connect is now in flight. */
    private boolean startConnect(Connection c) {
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
            if (c.channel.connect(server)) { // loopback may connect at once
                c.key.interestOps(0);
                c.connected = true;
                state.open.incrementAndGet();
                return false;
            }
            return true;
        } catch (IOException e) {
            fail(c, ErrorKind.CONNECT, "connection " + c.id + ": " + e);
            return false;
        }
    }

    private void roundTrips() throws IOException {
        for (Connection c : connections) {
            if (c.connected && !c.failed) {
                c.running = true;
                active++;
                try {
                    startRoundTrip(c);
                } catch (IOException e) {
                    fail(c, ErrorKind.IO, "connection " + c.id + " round trip 0: " + e);
                }
            }
        }
        while (active > 0 && !state.expired()) {
            select();
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                try {
                    if (key.isValid() && key.isWritable()) {
                        write(c);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read(c);
                    }
                } catch (IOException e) {
                    fail(c, ErrorKind.IO, "connection " + c.id + " round trip " + c.round + ": " + e);
                }
            }
            selector.selectedKeys().clear();
        }
        for (Connection c : connections) {
            if (c.connected && !c.failed && c.round < options.roundTripsPerConnection()) {
                fail(c, ErrorKind.TIMEOUT, "connection " + c.id + ": round trip " + c.round + " unfinished at the deadline ("
                        + c.received + " of " + c.payload.length + " bytes back)");
            }
        }
    }

    private void startRoundTrip(Connection c) throws IOException {
        Payload.fill(c.payload, c.id, c.round);
        c.sendBuffer.clear();
        c.received = 0;
        c.startNanos = System.nanoTime();
        write(c);
    }

    private void write(Connection c) throws IOException {
        c.channel.write(c.sendBuffer);
        // Keep reading while a large payload is still being written: the server echoes as it reads.
        c.key.interestOps(c.sendBuffer.hasRemaining() ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_READ);
    }

    private void read(Connection c) throws IOException {
        int expected = c.payload.length - c.received;
        readBuffer.clear().limit(Math.min(READ_CHUNK, expected)); // never consume bytes beyond this round trip
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            fail(c, ErrorKind.IO, "connection " + c.id + ": server closed the connection in round trip " + c.round
                    + " after " + c.received + " of " + c.payload.length + " bytes");
            return;
        }
        int mismatch = Arrays.mismatch(readBytes, 0, n, c.payload, c.received, c.received + n);
        if (mismatch >= 0) {
            fail(c, ErrorKind.VERIFY, "connection " + c.id + " round trip " + c.round + " byte " + (c.received + mismatch)
                    + ": expected " + (c.payload[c.received + mismatch] & 0xff) + ", got " + (readBytes[mismatch] & 0xff));
            return;
        }
        c.received += n;
        if (c.received < c.payload.length) {
            return;
        }
        latencies.record(System.nanoTime() - c.startNanos);
        state.roundTrips.increment();
        c.round++;
        if (c.round < options.roundTripsPerConnection()) {
            startRoundTrip(c);
        } else {
            c.key.interestOps(0); // finished; stays open until every connection is finished
            c.running = false;
            active--;
        }
    }

    private void select() throws IOException {
        long millis = TimeUnit.NANOSECONDS.toMillis(state.remainingNanos());
        selector.select(Math.max(1, Math.min(millis, 100)));
    }

    private void fail(Connection c, ErrorKind kind, String message) {
        state.error(kind, message);
        if (c.connected && !c.failed) {
            state.open.decrementAndGet();
        }
        if (c.running) {
            c.running = false;
            active--;
        }
        c.failed = true;
        close(c);
    }

    private void closeAll() {
        for (Connection c : connections) {
            if (c.connected && !c.failed) {
                state.open.decrementAndGet();
            }
            close(c);
        }
    }

    private static void close(Connection c) {
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closing is best effort; the run is over for this connection
            }
        }
    }

    /** One client connection's state. */
    private static final class Connection {
        final int id;
        final byte[] payload;          // what this round trip sent; the echo must match it byte for byte
        final ByteBuffer sendBuffer;
        SocketChannel channel;
        SelectionKey key;
        boolean connected;
        boolean failed;
        boolean running;               // doing round trips: counted in ClientWorker.active
        int round;                     // round trips completed
        int received;                  // bytes of the current round trip echoed so far
        long startNanos;

        Connection(int id, int payloadBytes) {
            this.id = id;
            this.payload = new byte[payloadBytes];
            this.sendBuffer = ByteBuffer.wrap(payload);
        }
    }
}
