package io.coio.runtime;

import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The scheduler of a coroutine that runs an app's own platform {@code Thread} (a converted thread): it
 * schedules on the coroutine's carrier like the carrier itself, and it remembers which app {@code Thread}
 * object the coroutine stands for. Keeping that link here, on the one object the JDK already stores in
 * every virtual thread ({@code VirtualThread.scheduler}), makes "which app thread is running?" two field
 * loads, with no map and no extra field in the JDK's classes.
 *
 * <p>It is also the coroutine's task ({@link #run}): one object per converted thread instead of a scheduler plus
 * two task lambdas, and one frame under the converted thread's code where the two lambdas took two. A parked
 * coroutine keeps its whole stack in a heap stack chunk sized at its first yield, so each frame at the bottom costs
 * memory per idle connection (docs/benchmark.md, "Where the memory of an idle connection goes").
 *
 * <p>A virtual thread that such a coroutine creates inherits this scheduler (the JDK passes the parent's
 * scheduler on); it runs on the same carrier but stands for nothing: {@link #appThreadOf} checks that the
 * asking thread is the coroutine this scheduler was made for.
 *
 * <p>Threads: immutable after {@link #bind}, which runs once, before the coroutine starts; {@link #run} runs on
 * the coroutine.
 */
final class AppThreadScheduler implements Executor, Runnable {
    final Carrier carrier;
    final Thread appThread;
    /** What the coroutine runs for {@link #appThread}; shared by every converted thread. */
    private final Consumer<? super Thread> body;
    /** The coroutine created with this scheduler; written once before it starts (published by Thread.start). */
    private Thread coroutine;

    AppThreadScheduler(Carrier carrier, Thread appThread, Consumer<? super Thread> body) {
        this.carrier = carrier;
        this.appThread = appThread;
        this.body = body;
    }

    void bind(Thread coroutine) {
        assert this.coroutine == null;
        this.coroutine = coroutine;
    }

    /** The app thread that {@code vthread} runs, or null if it is not this scheduler's coroutine. */
    Thread appThreadOf(Thread vthread) {
        return vthread == coroutine ? appThread : null;
    }

    @Override
    public void execute(Runnable task) {
        carrier.execute(task);
    }

    /** The coroutine's task: the app thread's body, then the carrier counts one live coroutine less. */
    @Override
    public void run() {
        try {
            body.accept(appThread);
        } finally {
            carrier.live.decrementAndGet();
        }
    }
}
