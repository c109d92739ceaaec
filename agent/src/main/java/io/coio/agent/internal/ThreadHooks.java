package io.coio.agent.internal;

import io.coio.agent.internal.bridge.CoioHooks;
import io.coio.runtime.CoioRuntime;
import io.coio.runtime.Hooks;

import java.util.Map;

/**
 * The bridge's {@code threads} group in coroutine mode: app threads started as coroutines
 * ({@link ThreadConversion}), what {@code Thread} and {@code ThreadMXBean} say about them ({@link ThreadListing}).
 * Compiled against the bridge's template and defined at install as {@code ThreadHooksLinked}, a subclass of the
 * copy in java.base ({@link JdkBridge#linkedHooks}): never instantiate this class itself.
 *
 * <p>Threads: immutable; called on any thread from the JDK's rewritten methods.
 */
public final class ThreadHooks extends CoioHooks {
    private final ThreadConversion conversion;
    private final ThreadListing listing;

    public ThreadHooks(ThreadConversion conversion, ThreadListing listing) {
        this.conversion = conversion;
        this.listing = listing;
    }

    @Override
    public boolean threadStart(Thread t, Class<?> caller) {
        return conversion.start(t, caller);
    }

    @Override
    public Thread shadowOf(Thread t) {
        return conversion.shadowOf(t);
    }

    @Override
    public Thread appThreadOf(Thread coroutine) {
        return CoioRuntime.appThreadOf(coroutine);
    }

    @Override
    public boolean interruptEndsSocketIo(Thread t) {
        return Hooks.interruptEndsSocketIo(t);
    }

    @Override
    public Thread[] allThreads() {
        return listing.allThreads();
    }

    @Override
    public Map<Thread, StackTraceElement[]> allStackTraces() {
        return listing.allStackTraces();
    }

    @Override
    public Thread[] appThreads(boolean daemonOnly) {
        return listing.appThreads(daemonOnly);
    }

    @Override
    public Thread.State stateAsPlatform(Thread coroutine) {
        return Hooks.stateAsPlatformThread(coroutine);
    }

    @Override
    public Object[] appThreadInfos(Object[] jvm) {
        return listing.withInfos(jvm);
    }

    @Override
    public Object[] appThreadInfoById(Object[] jvm, long[] ids, int maxDepth) {
        return listing.withInfosByIds(jvm, ids, maxDepth);
    }

    @Override
    public void threadLocalsCreated(Thread t, Object map, boolean inheritable) {
        AppThreadState.mapCreated(t, map, inheritable);
    }
}
