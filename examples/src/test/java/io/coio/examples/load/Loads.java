package io.coio.examples.load;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;

/** Test helper: runs the echo load tool in-process (its classes are package-private). */
public final class Loads {

    private Loads() {
    }

    /** {@code connections x roundTrips} verified round trips against {@code 127.0.0.1:port}. */
    public static LoadResult echo(int port, int connections, int roundTrips, Duration timeout) throws InterruptedException {
        LoadOptions options = new LoadOptions();
        options.port = port;
        options.connections = connections;
        options.roundTrips = roundTrips;
        options.timeout = timeout;
        return run(options);
    }

    /** The same with {@code payloadBytes} per round trip. */
    public static LoadResult echo(int port, int connections, int roundTrips, int payloadBytes, Duration timeout)
            throws InterruptedException {
        LoadOptions options = new LoadOptions();
        options.port = port;
        options.connections = connections;
        options.roundTrips = roundTrips;
        options.payloadBytes = payloadBytes;
        options.timeout = timeout;
        return run(options);
    }

    static LoadResult run(LoadOptions options) throws InterruptedException {
        options.progress = false;
        return EchoLoad.run(options, new PrintStream(OutputStream.nullOutputStream()));
    }
}
