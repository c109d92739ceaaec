package io.coio.runtime;

/**
 * What the coroutine of a converted app thread does around the app thread's own {@code run()}, which the coroutine
 * calls itself ({@link CoioRuntime#newCoroutineFor}): {@code begin}, then {@code run()}, then {@code uncaught} if it
 * threw, then {@code ended} in any case. The runtime makes the call so that the app's code sits one frame above the
 * coroutine's task: each frame at the bottom of a parked coroutine stays in its heap stack chunk for as long as it
 * is parked (docs/benchmark.md, "Where the memory of an idle connection goes"). <b>Not API</b>: the agent's thread
 * conversion implements it.
 *
 * <p>Threads: every method runs on the coroutine that stands for {@code app}.
 */
public interface AppThreadBody {
    /** Before the app thread's {@code run()}. If it throws, {@code run()} is skipped, as if it had thrown. */
    void begin(Thread app);

    /** {@code run()} (or {@link #begin}) threw {@code e}. */
    void uncaught(Thread app, Throwable e);

    /** Last, whatever happened. */
    void ended(Thread app);
}
