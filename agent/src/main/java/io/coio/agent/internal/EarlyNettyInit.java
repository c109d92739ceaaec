package io.coio.agent.internal;

/**
 * Initialises coio's Netty (its platform layer and its native epoll library: ~100 ms of class initialisation, most of
 * the runtime's start-up) on a helper thread, {@code coio-init}, while the installing thread rewrites the JDK
 * classes, which need no Netty. Started once the JDK rewriter is registered, so that the JDK classes Netty loads are
 * rewritten as they load, from the image's bytes, never retransformed from bytes that depend on how far Netty got. The two share no class of coio's and initialise no class of each
 * other's; only the JDK classes both touch are initialised by whichever comes first, as in any multi-threaded app.
 * The installer {@link #join}s before it starts the runtime, so a failure still fails the installation at premain.
 *
 * <p>Threads: made and joined by the installing thread; the work runs on {@code coio-init}, which ends with it.
 */
final class EarlyNettyInit {
    private final Thread thread;
    private volatile Throwable failure;

    private EarlyNettyInit(Runnable work) {
        thread = Thread.ofPlatform().name("coio-init").daemon().unstarted(new Runnable() { // not a lambda: start-up
            @Override
            public void run() {
                try {
                    work.run();
                } catch (Throwable t) {
                    failure = t;
                }
            }
        });
    }

    /** Starts {@code work} on the helper thread. */
    static EarlyNettyInit start(Runnable work) {
        EarlyNettyInit init = new EarlyNettyInit(work);
        init.thread.start();
        return init;
    }

    /** Waits for the work to end; rethrows what it threw (an {@link Error} or unchecked exception as it is). */
    void join() throws InterruptedException {
        thread.join();
        Throwable t = failure;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** After a failed installation: waits (bounded) so that no coio thread is left; never throws. */
    void awaitQuietly() {
        try {
            thread.join(java.time.Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
