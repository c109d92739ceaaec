package io.coio.agent.internal;

import io.coio.agent.internal.bridge.CoioHooks;
import io.coio.agent.internal.detect.Detector;
import io.coio.runtime.Hooks;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The bridge's {@code readiness} group in coroutine mode: socket waits, timers and blocking-call hand-offs go to
 * the runtime's {@link Hooks}. Compiled against the bridge's template and defined at install as
 * {@code ReadinessHooksLinked}, a subclass of the copy in java.base ({@link JdkBridge#linkedHooks}): never
 * instantiate this class itself.
 *
 * <p>Threads: immutable; called on any thread from the JDK's rewritten methods.
 */
public final class ReadinessHooks extends CoioHooks {
    /** Pinned coroutines are also reported to the {@link Detector} ({@code report=pinned|all}). */
    private final boolean reportPinned;

    public ReadinessHooks(boolean reportPinned) {
        this.reportPinned = reportPinned;
    }

    @Override
    public boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen) throws IOException {
        return Hooks.poll(fd, event, nanos, isOpen, true); // not the 4-argument overload: one frame less when parked
    }

    @Override
    public boolean pollSelector(int fd, long nanos) throws IOException {
        return Hooks.pollSelector(fd, nanos);
    }

    @Override
    public void stopPoll(int fd, int event) {
        Hooks.stopPoll(fd, event);
    }

    @Override
    public void pinnedPark(Thread vthread) {
        Hooks.beforePinnedPark(vthread); // the carrier's loop is handed on first, then the coroutine is reported
        if (reportPinned) {
            Detector.reportPinned(vthread);
        }
    }

    @Override
    public Future<?> schedule(Thread vthread, Runnable task, long delay, TimeUnit unit) {
        return Hooks.schedule(vthread, task, delay, unit);
    }

    @Override
    public void beforeBlocking(int cause) {
        Hooks.beforeBlocking(cause);
    }

    @Override
    public void beforeWait() {
        Hooks.beforeObjectWait();
    }

    @Override
    public long beforeFileIo() {
        return Hooks.beforeFileIo();
    }

    @Override
    public void afterFileIo(long mark) {
        Hooks.afterFileIo(mark);
    }

    @Override
    public int beforeSocketIo(Object jdkFd, int fd, boolean write) {
        return Hooks.beforeSocketIo(jdkFd, fd, write);
    }

    @Override
    public int heapSocketIo(int fd, boolean write, byte[] b, int off, int len) throws IOException {
        return Hooks.heapSocketIo(fd, write, b, off, len);
    }

    @Override
    public void afterSocketIo(int n, int fd, boolean write, int edges, int len) {
        Hooks.afterSocketIo(n, fd, write, edges, len);
    }

    @Override
    public void socketClosing(int fd) {
        Hooks.socketClosing(fd);
    }
}
