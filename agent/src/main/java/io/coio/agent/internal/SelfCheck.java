package io.coio.agent.internal;

import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The install-time proof that the hooks fire (BlockHound's {@code testInstrumentation()}): a coroutine
 * reads from a loopback socket; the peer writes only once the carrier has counted the coroutine's
 * readiness wait. If the wait never reaches coio within the limit, installation fails loudly and the
 * installer disconnects every hook.
 */
final class SelfCheck {
    private static final long LIMIT_NANOS = Duration.ofSeconds(10).toNanos();

    private SelfCheck() {
    }

    static void run(CoioRuntime runtime) throws Exception {
        if (!runtime.transport().equals("epoll")) {
            failOnPurposeIfAsked();
            return; // readiness is the JDK's own poller: nothing of coio's to check
        }
        long parksBefore = totalParks(runtime);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout((int) Duration.ofNanos(LIMIT_NANOS).toMillis());
            int port = server.getLocalPort();
            Thread reader = runtime.newCoroutine("coio-selfcheck", new Runnable() { // not a lambda: start-up
                @Override
                public void run() {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        if (s.getInputStream().read() != 42) {
                            throw new IOException("self-check read the wrong byte");
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }
            });
            reader.start();
            Socket accepted;
            try {
                accepted = server.accept();
            } catch (java.net.SocketTimeoutException e) {
                throw new IllegalStateException("self-check: the coroutine did not connect within the limit; it is "
                        + reader.getState() + " at " + java.util.Arrays.toString(reader.getStackTrace())
                        + (failure.get() == null ? "" : ", failed with " + failure.get()), e);
            }
            try (Socket peer = accepted; OutputStream out = peer.getOutputStream()) {
                if (!awaitParks(runtime, parksBefore)) {
                    throw new IllegalStateException("self-check: a coroutine's socket read did not reach coio's"
                            + " Poller hook (is another agent rewriting sun.nio.ch.Poller?)");
                }
                out.write(42);
                out.flush();
                if (!reader.join(Duration.ofNanos(LIMIT_NANOS))) {
                    throw new IllegalStateException("self-check: the coroutine was not resumed by its carrier");
                }
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("self-check socket read failed: " + failure.get(), failure.get());
        }
        failOnPurposeIfAsked();
    }

    /** Tests only: {@code -Dcoio.test.failSelfCheck=true} proves that a failed installation leaves no trace. */
    private static void failOnPurposeIfAsked() {
        if (Boolean.getBoolean("coio.test.failSelfCheck")) {
            throw new IllegalStateException("self-check failed on purpose (-Dcoio.test.failSelfCheck=true)");
        }
    }

    /** Waits (bounded) until the carriers have counted a readiness wait beyond {@code before}. */
    private static boolean awaitParks(CoioRuntime runtime, long before) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT_NANOS;
        while (totalParks(runtime) == before) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private static long totalParks(CoioRuntime runtime) {
        long n = 0;
        for (CarrierStats s : runtime.stats()) {
            n += s.parks();
        }
        return n;
    }
}
