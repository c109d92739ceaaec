package io.coio.agent.internal.bridge;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/*
 * Compiled for Java 17 (agent/pom.xml), like the bridge.
 * WARNING: copied into java.base as sun.nio.ch.CoioHooks, beside the bridge (same rules: JDK types only, no other
 * coio class, no nested classes or lambdas). coio's hook classes extend that copy: each is compiled against this
 * template and defined at install with its superclass renamed (JdkBridge.linkedHooks).
 */

/**
 * What the bridge's hooks call: one method per hook, and as this class implements them, what the JDK does without
 * coio (wait yourself, no stand-in thread, nothing to add). The bridge holds one instance per group of hooks
 * ({@code readiness}, {@code threads}, {@code reports}, {@code observer}); connecting a group replaces this class's
 * instance by one of coio's subclasses, which override that group's methods, and disconnecting puts it back. A
 * plain virtual call on a field: the JIT inlines coio's method behind one class check, and defining these classes
 * spins no {@code java.lang.invoke} forms at start-up (the call sites this replaces cost ~50 ms of CPU there).
 *
 * <p>Not API. Threads: immutable; any thread.
 */
public class CoioHooks {
    public CoioHooks() {
    }

    // ---- readiness: coroutine mode's socket waits, timers and blocking-call hand-offs ----

    /** A socket wait of {@code fd} for {@code event}: true if coio did the wait, false to let the JDK wait. */
    public boolean poll(int fd, int event, long nanos, BooleanSupplier isOpen) throws IOException {
        return false;
    }

    /** A selector's wait on its epoll fd: true if coio did the wait. */
    public boolean pollSelector(int fd, long nanos) throws IOException {
        return false;
    }

    public void stopPoll(int fd, int event) {
    }

    /** A virtual thread is about to park pinned on its carrier. */
    public void pinnedPark(Thread vthread) {
    }

    /** A virtual thread's timed park: coio's timer, or null for the JDK's. */
    public Future<?> schedule(Thread vthread, Runnable task, long delay, TimeUnit unit) {
        return null;
    }

    /** A JDK operation that blocks its OS thread starts (file I/O, DNS, {@code Blocker.begin}). */
    public void beforeBlocking(int cause) {
    }

    /** {@code Object.wait} starts. */
    public void beforeWait() {
    }

    /** A file I/O method starts: the mark for {@link #afterFileIo} (0: nothing to end). */
    public long beforeFileIo() {
        return 0;
    }

    public void afterFileIo(long mark) {
    }

    /** A socket read/write attempt: -1 skip the syscall ("would block"), 0 not tracked, else an edge count. */
    public int beforeSocketIo(Object jdkFd, int fd, boolean write) {
        return 0;
    }

    /**
     * A tracked attempt done by coio on the app's array: the JDK's result for it, or {@link Integer#MIN_VALUE} to let
     * the JDK do it. Throws what the JDK's attempt would.
     */
    public int heapSocketIo(int fd, boolean write, byte[] b, int off, int len) throws IOException {
        return Integer.MIN_VALUE;
    }

    /** What a tracked attempt learned. */
    public void afterSocketIo(int n, int fd, boolean write, int edges, int len) {
    }

    /** The JDK is about to close a socket or pipe fd. */
    public void socketClosing(int fd) {
    }

    // ---- threads: converted app threads ----

    /** True if {@code t} was started as a coroutine instead; {@code caller}: the class that called {@code start}. */
    public boolean threadStart(Thread t, Class<?> caller) {
        return false;
    }

    /** The coroutine running app thread {@code t}, or null. */
    public Thread shadowOf(Thread t) {
        return null;
    }

    /** The app thread a coroutine runs, or null. */
    public Thread appThreadOf(Thread coroutine) {
        return null;
    }

    /** Does an interrupt end {@code t}'s socket I/O (closing the socket)? */
    public boolean interruptEndsSocketIo(Thread t) {
        return t.isInterrupted();
    }

    /** Live platform threads plus running converted app threads; null to let the JDK answer. */
    public Thread[] allThreads() {
        return null;
    }

    /** {@code Thread.getAllStackTraces()} with the running converted app threads; null to let the JDK answer. */
    public Map<Thread, StackTraceElement[]> allStackTraces() {
        return null;
    }

    /** The running converted app threads (daemons only if asked). */
    public Thread[] appThreads(boolean daemonOnly) {
        return new Thread[0];
    }

    /** A coroutine's state as a platform thread would report it; null to let the JDK answer. */
    public Thread.State stateAsPlatform(Thread coroutine) {
        return null;
    }

    /** {@code ThreadMXBean.dumpAllThreads}' result plus the running app threads. */
    public Object[] appThreadInfos(Object[] jvm) {
        return jvm;
    }

    /** {@code ThreadMXBean.getThreadInfo(ids, ...)}'s answer with the app threads among {@code ids} filled in. */
    public Object[] appThreadInfoById(Object[] jvm, long[] ids, int maxDepth) {
        return jvm;
    }

    /** A converted app thread's coroutine made its first thread-local map of a kind. */
    public void threadLocalsCreated(Thread t, Object map, boolean inheritable) {
    }

    // ---- reports: blocking calls on threads that must not block ----

    /** Must {@code t} not block? */
    public boolean nonBlocking(Thread t) {
        return false;
    }

    /** A watched call on a non-blocking thread; may throw an Error (detect mode's onblock=throw). */
    public void blockingCall(int call, Object self, long arg) {
    }

    // ---- observer ----

    /** The platform MBean server was just created. */
    public void mbeanServerCreated(Object server) {
    }
}
