package io.coio.runtime;

import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Whether an {@code Object.wait} called now by the current coroutine would pin it (wait on its OS thread) rather
 * than unmount. On JDK 25 (JEP 491) a virtual thread's wait unmounts while it holds monitors — which every wait
 * does — and pins only under a native frame or in a class initializer (which the JVM runs under a native call).
 * {@code Continuation.isPinned} cannot tell those apart: on JDK 25 it answered true for every mounted virtual
 * thread, held monitor or not, so asking it handed the carrier's loop off before every wait (OkHttp's task runner
 * waits in {@code Object.wait}; 20 threads waiting at once exhausted the spare threads and printed coio's
 * "no spare loop thread" line into the app's stderr).
 *
 * <p>Used only without a watchdog ({@code blockedms=0}); with one, a wait is marked and handed off if it lasts
 * ({@link DeferredHandOff}), which costs an unpinned wait nothing: this walk cost 9–58 µs (10–150 frames).
 *
 * <p>So this walks the coroutine's own frames (the {@link StackWalker} of a virtual thread stops at its
 * continuation) for a {@code native} method or a {@code <clinit>}. What it cannot see — a wait under an FFM
 * downcall's upcall or inside a JNI {@code MonitorEnter} — still pins, and the carrier watchdog hands that loop
 * off after {@code blockedms}. Called on the coroutine that is about to wait; stateless.
 */
final class WaitPinning implements Function<Stream<StackWalker.StackFrame>, Boolean> {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final WaitPinning FIND_PINNING_FRAME = new WaitPinning(); // a class, not a lambda: no start-up spin

    private WaitPinning() {
    }

    /** True if the current coroutine's stack has a frame under which the JVM cannot unmount it. */
    static boolean waitWouldPin() {
        return WALKER.walk(FIND_PINNING_FRAME);
    }

    /**
     * Watchdog: whether {@code stack} (a coroutine's, taken from outside) is in an {@code Object.wait} that pins:
     * a native method or a {@code <clinit>} among the wait's callers. False when the wait is over (no wait frame):
     * a wait marked for the deferred hand-off that returned without unmounting, its run going on.
     */
    static boolean inPinnedWait(StackTraceElement[] stack) {
        boolean inWait = false;
        for (StackTraceElement e : stack) {
            if (!inWait) {
                inWait = "java.lang.Object".equals(e.getClassName()) && e.getMethodName().startsWith("wait");
            } else if (e.isNativeMethod() || "<clinit>".equals(e.getMethodName())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Boolean apply(Stream<StackWalker.StackFrame> frames) {
        for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
            StackWalker.StackFrame f = it.next();
            if (f.isNativeMethod() || "<clinit>".equals(f.getMethodName())) {
                return Boolean.TRUE;
            }
        }
        return Boolean.FALSE;
    }
}
