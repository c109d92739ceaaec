package io.coio.agent.internal.detect;

import io.coio.agent.internal.bridge.CoioHooks;

/**
 * The bridge's {@code reports} group: the {@code blocking} prologue of every watched JDK method asks the
 * {@link Detector} whether the thread must not block and reports the call. Compiled against the bridge's template
 * (for Java 17, as detect mode) and defined at install as {@code DetectorHooksLinked}, a subclass of the copy in
 * java.base (JdkBridge.linkedHooks): never instantiate this class itself.
 *
 * <p>Threads: immutable; called on any thread from the JDK's rewritten methods.
 */
public final class DetectorHooks extends CoioHooks {
    private final Detector detector;

    public DetectorHooks(Detector detector) {
        this.detector = detector;
    }

    @Override
    public boolean nonBlocking(Thread t) {
        return detector.isNonBlocking(t);
    }

    @Override
    public void blockingCall(int call, Object self, long arg) {
        detector.blockingCall(call, self, arg);
    }
}
