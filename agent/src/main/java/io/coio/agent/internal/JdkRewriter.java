package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rewrites the JDK's choke points so that they consult coio first — the Java analogue of libco's
 * strong-symbol hooks. Each rewrite is a prologue (emitted by {@link Prologues}), a call replacement or, for
 * {@link SocketIoTracking}, a prologue and epilogue; the original body follows untouched. Before/after Java
 * for every one is in {@code agent/docs/how_it_works.md}.
 *
 * <ul>
 *   <li>{@code sun.nio.ch.Poller.poll(fd, event, nanos, isOpen)}: {@code if (CoioBridge.poll(...)) return;}
 *   <li>{@code Poller.pollSelector(fd, nanos)}: {@code if (CoioBridge.pollSelector(...)) return;}
 *   <li>{@code Poller.stopPoll(fd, event)}: {@code CoioBridge.stopPoll(fd, event);} then the JDK's own
 *       ({@code stopPoll(fd)} calls it for both directions)
 *   <li>{@code NioSocketImpl.tryRead/tryWrite}: skip a syscall that must fail ({@link SocketIoTracking}); the same
 *       for a blocking {@code SocketChannel}'s {@code IOUtil.read/write} calls in {@code SocketChannelImpl.implRead/
 *       implWrite(ByteBuffer)} ({@link ChannelIoTracking});
 *       {@code UnixDispatcher.close(fd)}: {@code CoioBridge.socketClosing(IOUtil.fdVal(fd));} (coio forgets the fd)
 *   <li>{@code VirtualThread.parkOnCarrierThread(timed, nanos)}: {@code CoioBridge.pinnedPark(this);}
 *   <li>{@code VirtualThread.schedule(task, delay, unit)} (timed park, sleep, timed wait):
 *       {@code Future<?> f = CoioBridge.schedule(this, task, delay, unit); if (f != null) return f;}
 *   <li>{@code Thread.start()} and {@code Thread.start(ThreadContainer)}, made {@code @CallerSensitive}:
 *       {@code if (CoioBridge.threadStart(this, Reflection.getCallerClass())) return;}
 *   <li>{@code ThreadMXBean.getThreadInfo(ids, ...)}: converted threads' infos filled in ({@link ThreadInfoEpilogue})
 *   <li>{@code StackTraceElement.of(StackTraceElement[])}, {@code VirtualThread.asyncGetStackTrace()}: a converted
 *       thread's trace ends at its {@code Thread.run} ({@link StackTraceEnd})
 *   <li>{@code Thread.setThreadLocals(map)} / {@code setInheritableThreadLocals(map)}:
 *       {@code CoioBridge.threadLocalsCreated(this, map, <inheritable>);} (a converted thread's maps are made lazily)
 *   <li>{@code Thread.isAlive/join(long)/join(Duration)/getState/interrupt/isInterrupted/getStackTrace}:
 *       {@code Thread s = CoioBridge.shadowOf(this); if (s != null) return s.same(args);}
 *   <li>hand-offs ({@link HandOffPoints}): {@code jdk.internal.misc.Blocker.begin()}, the platform DNS resolver and
 *       the file I/O methods ({@link FileIoSpan}: {@code beforeFileIo()} ... finally {@code afterFileIo(mark)}):
 *       {@code CoioBridge.beforeBlocking(<cause>);} ; {@code Object.wait(long)}:
 *       {@code CoioBridge.beforeWait();}
 *   <li>each watched blocking method of {@link BlockingCalls} (detect mode, coroutine mode's {@code report=all}):
 *       {@code CoioBridge.blocking(<row id>, <this or null>, <its long argument or 0L>);}
 * </ul>
 * Which of these a rewriter adds is fixed at construction: the coroutine hooks, the watched methods, or both.
 * A rewriter with the coroutine hooks records which {@code TARGETS} it rewrote; the installer then requires every
 * one ({@link #checkEveryTargetHooked}): a JDK member missing on the running JDK fails the install, named.
 *
 * <p>Compiled for Java 17 (agent/pom.xml): detect mode uses it on Java 17. Threads: {@link #transform} runs on
 * whichever thread loads or retransforms a class, possibly several at once.
 */
final class JdkRewriter implements ClassFileTransformer {
    static final String POLLER = "sun/nio/ch/Poller";
    static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    static final String THREAD = "java/lang/Thread";
    /** Where the bridge lives once injected into java.base. */
    static final String BRIDGE = "sun/nio/ch/CoioBridge";

    /** How JDK thread containers start threads (ThreadPoolExecutor workers since JDK 21); start() does not call it. */
    static final String START_IN_CONTAINER = "start(Ljdk/internal/vm/ThreadContainer;)V";
    static final String SCHEDULE =
            "schedule(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;";

    /** Thread methods that a converted app thread forwards to its coroutine: name + descriptor. */
    static final Set<String> DELEGATED = Set.of(
            "isAlive()Z",
            "join(J)V",
            "join(Ljava/time/Duration;)Z",
            "interrupt()V",
            "isInterrupted()Z",
            "asyncGetStackTrace()[Ljava/lang/StackTraceElement;",
            "getContextClassLoader()Ljava/lang/ClassLoader;",
            "setContextClassLoader(Ljava/lang/ClassLoader;)V");

    static final String LOCK_SUPPORT = "java/util/concurrent/locks/LockSupport";
    static final String NIO_SOCKET_IMPL = "sun/nio/ch/NioSocketImpl";
    /** Blocking-mode {@code SocketChannel} reads and writes skip a syscall that must fail ({@link ChannelIoTracking}). */
    static final String SOCKET_CHANNEL_IMPL = "sun/nio/ch/SocketChannelImpl";
    static final String UNIX_DISPATCHER = "sun/nio/ch/UnixDispatcher";
    static final String CLOSE_FD = "close(Ljava/io/FileDescriptor;)V";
    static final String DATAGRAM_CHANNEL_IMPL = "sun/nio/ch/DatagramChannelImpl";
    static final String DEFAULT_THREAD_FACTORY = "java/util/concurrent/Executors$DefaultThreadFactory";
    static final String CURRENT_THREAD = "currentThread()Ljava/lang/Thread;";
    static final String GET_STATE = "getState()Ljava/lang/Thread$State;";
    static final String IS_INTERRUPTED = "isInterrupted()Z";
    /** Where {@code ThreadLocal.createMap} stores a thread's new map (AppThreadState shares it with the app thread). */
    static final String SET_THREAD_LOCALS = "setThreadLocals(Ljava/lang/ThreadLocal$ThreadLocalMap;)V";
    static final String SET_INHERITABLE_THREAD_LOCALS = "setInheritableThreadLocals(Ljava/lang/ThreadLocal$ThreadLocalMap;)V";

    /**
     * JDK methods in which a call is replaced by a bridge call (owner.method -> {call replaced -> bridge
     * method of the same shape}). In these, {@code Thread.currentThread()} means "the app's current
     * thread" (a converted thread's own Thread object, not the coroutine running it): a new thread takes
     * its group, priority, daemon status, inheritable thread-locals and context class loader from it, the
     * thread-count and enumeration methods look at its group, and {@code getStackTrace()} recognises it as
     * the current thread. In the JDK's socket park methods, the "interrupted, so close the socket" test
     * is coio's, so that an app's platform thread keeps platform-thread semantics.
     */
    static final String THREAD_IMPL = "sun/management/ThreadImpl";
    static final String THREAD_POOL_EXECUTOR = "java/util/concurrent/ThreadPoolExecutor";
    /** Its platform MBean server is made on first use; coio's MBeans go in then (start-up time, Observability). */
    static final String MANAGEMENT_FACTORY = "java/lang/management/ManagementFactory";

    static final Map<String, Map<String, Map<String, String>>> CALL_REWRITES = Map.of(
            // ThreadMXBean: converted app threads count, have ids and appear in dumpAllThreads ("+": the JDK's
            // call stays, and the bridge method adds the app threads to what it returned).
            THREAD_IMPL, Map.of(
                    "getThreadCount()I", Map.of("sun/management/VMManagement.getLiveThreadCount()I",
                            "+withAppThreadCount(I)I"),
                    "getDaemonThreadCount()I", Map.of("sun/management/VMManagement.getDaemonThreadCount()I",
                            "+withDaemonAppThreadCount(I)I"),
                    "getAllThreadIds()[J", Map.of(THREAD_IMPL + ".getThreads()[Ljava/lang/Thread;",
                            "+withAppThreads([Ljava/lang/Thread;)[Ljava/lang/Thread;"),
                    "dumpAllThreads(ZZI)[Ljava/lang/management/ThreadInfo;", Map.of(
                            THREAD_IMPL + ".dumpThreads0([JZZI)[Ljava/lang/management/ThreadInfo;",
                            "+withAppThreadInfos([Ljava/lang/Object;)[Ljava/lang/Object;")),
            THREAD, Map.of(
                    "<init>(Ljava/lang/ThreadGroup;Ljava/lang/String;ILjava/lang/Runnable;J)V", appCurrentThread(),
                    "<init>(Ljava/lang/String;IZ)V", appCurrentThread(),
                    "activeCount()I", appCurrentThread(),
                    "enumerate([Ljava/lang/Thread;)I", appCurrentThread(),
                    "getStackTrace()[Ljava/lang/StackTraceElement;", appCurrentThread()),
            DEFAULT_THREAD_FACTORY, Map.of("<init>()V", appCurrentThread()),
            // beforeExecute(Thread, Runnable) of an app's ThreadPoolExecutor subclass gets the worker's Thread
            THREAD_POOL_EXECUTOR, Map.of("runWorker(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V",
                    appCurrentThread()),
            MANAGEMENT_FACTORY, Map.of("getPlatformMBeanServer()Ljavax/management/MBeanServer;", Map.of(
                    "javax/management/MBeanServerFactory.createMBeanServer()Ljavax/management/MBeanServer;",
                    "+mbeanServerCreated(Ljava/lang/Object;)Ljava/lang/Object;")),
            NIO_SOCKET_IMPL, Map.of("park(Ljava/io/FileDescriptor;IJ)V",
                    Map.of(THREAD + "." + IS_INTERRUPTED, "interruptEndsSocketIo(Ljava/lang/Thread;)Z")),
            DATAGRAM_CHANNEL_IMPL, Map.of("park(IJ)V",
                    Map.of(THREAD + "." + IS_INTERRUPTED, "interruptEndsSocketIo(Ljava/lang/Thread;)Z")));

    /**
     * {@code ThreadMXBean.getThreadInfo(long[] ids, ...)} methods ({@link #THREAD_IMPL}; {@link ThreadInfoEpilogue}):
     * name + descriptor -> the local slot of their {@code maxDepth} argument, or -1 (all frames). Here, not in the
     * visitor, so that reading it loads no ASM class (the precomputed install path runs without ASM).
     */
    static final Map<String, Integer> THREAD_INFO_METHODS = Map.of(
            "getThreadInfo([JI)[Ljava/lang/management/ThreadInfo;", 2,
            "getThreadInfo([JZZ)[Ljava/lang/management/ThreadInfo;", -1,
            "getThreadInfo([JZZI)[Ljava/lang/management/ThreadInfo;", 4);
    static final String STACK_TRACE_ELEMENT = "java/lang/StackTraceElement";
    private static final String TRACE = "[Ljava/lang/StackTraceElement;";
    /** Owner -> methods that hand out stack traces, ended at a converted thread's run() ({@link StackTraceEnd}). */
    static final Map<String, Set<String>> STACK_TRACE_METHODS = Map.of(
            STACK_TRACE_ELEMENT, Set.of("of(" + TRACE + ")" + TRACE),
            VIRTUAL_THREAD, Set.of("asyncGetStackTrace()" + TRACE));

    private static final Map<String, Set<String>> TARGETS = HandOffPoints.addTo(Map.ofEntries(
            Map.entry(POLLER, Set.of("poll(IIJLjava/util/function/BooleanSupplier;)V", "pollSelector(IJ)V", "stopPoll(II)V")),
            Map.entry(VIRTUAL_THREAD, union(STACK_TRACE_METHODS.get(VIRTUAL_THREAD), "parkOnCarrierThread(ZJ)V", SCHEDULE)),
            Map.entry(STACK_TRACE_ELEMENT, STACK_TRACE_METHODS.get(STACK_TRACE_ELEMENT)),
            Map.entry(THREAD, union(union(DELEGATED, "start()V", START_IN_CONTAINER, "setName(Ljava/lang/String;)V", GET_STATE,
                    SET_THREAD_LOCALS, SET_INHERITABLE_THREAD_LOCALS,
                    "getAllThreads()[Ljava/lang/Thread;", "getAllStackTraces()Ljava/util/Map;"),
                    CALL_REWRITES.get(THREAD).keySet().toArray(new String[0]))),
            Map.entry(LOCK_SUPPORT, Set.of("unpark(Ljava/lang/Thread;)V", "getBlocker(Ljava/lang/Thread;)Ljava/lang/Object;")),
            Map.entry(NIO_SOCKET_IMPL, union(CALL_REWRITES.get(NIO_SOCKET_IMPL).keySet(), SocketIoTracking.TRY_READ,
                    SocketIoTracking.TRY_WRITE)),
            Map.entry(UNIX_DISPATCHER, Set.of(CLOSE_FD)),
            Map.entry(SOCKET_CHANNEL_IMPL, Set.of(ChannelIoTracking.IMPL_READ, ChannelIoTracking.IMPL_WRITE)),
            Map.entry(DATAGRAM_CHANNEL_IMPL, CALL_REWRITES.get(DATAGRAM_CHANNEL_IMPL).keySet()),
            Map.entry(DEFAULT_THREAD_FACTORY, CALL_REWRITES.get(DEFAULT_THREAD_FACTORY).keySet()),
            Map.entry(THREAD_POOL_EXECUTOR, CALL_REWRITES.get(THREAD_POOL_EXECUTOR).keySet()),
            Map.entry(THREAD_IMPL, union(CALL_REWRITES.get(THREAD_IMPL).keySet(),
                    THREAD_INFO_METHODS.keySet().toArray(new String[0]))),
            Map.entry(MANAGEMENT_FACTORY, CALL_REWRITES.get(MANAGEMENT_FACTORY).keySet())));

    /** The JDK classes the coroutine-mode hooks rewrite (binary names), for retransformation at install. */
    static Set<String> coroutineTargetClasses() {
        Set<String> names = new HashSet<>();
        for (String c : TARGETS.keySet()) {
            names.add(c.replace('/', '.'));
        }
        return names;
    }

    private static Map<String, String> appCurrentThread() {
        return Map.of(THREAD + "." + CURRENT_THREAD, "appCurrentThread()Ljava/lang/Thread;");
    }

    /** Tests only: the internal name of a JDK class whose rewrite fails on purpose. */
    static final String FAIL_REWRITE_OF = "coio.test.failRewriteOf";
    /** {level, line} of what {@link #transform} had to say, printed by {@link #printLater}. */
    private final java.util.Queue<Object[]> messages = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Installing thread only. */
    private boolean printAtExit;
    /** Internal names of the classes this rewriter was handed (loaded, or retransformed, since it was added). */
    private final Set<String> transformed = ConcurrentHashMap.newKeySet();
    /** owner -> name + desc of its TARGETS that the last transformation of that class rewrote. */
    private final Map<String, Set<String>> hooked = new ConcurrentHashMap<>();
    private final boolean coroutineHooks;
    /** owner -> (name + desc -> watched row). */
    private final Map<String, Map<String, BlockingCalls.Call>> watched;

    /** The coroutine-mode hooks only. */
    JdkRewriter() {
        this(true, List.of());
    }

    /** @param coroutineHooks add the Poller/VirtualThread/Thread hooks; {@code watched}: blocking methods to watch */
    JdkRewriter(boolean coroutineHooks, Collection<BlockingCalls.Call> watched) {
        this.coroutineHooks = coroutineHooks;
        this.watched = BlockingCalls.byOwner(watched);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain pd, byte[] classfile) {
        if (loader != null) {
            return null;
        }
        Set<String> hooks = coroutineHooks ? TARGETS.get(className) : null;
        Map<String, BlockingCalls.Call> calls = watched.get(className);
        if (hooks == null && calls == null) {
            return null;
        }
        Set<String> methods = new HashSet<>();
        if (hooks != null) {
            methods.addAll(hooks);
        }
        if (calls != null) {
            methods.addAll(calls.keySet());
        }
        transformed.add(className);
        try {
            if (className.equals(System.getProperty(FAIL_REWRITE_OF))) {
                throw new IllegalStateException("rewrite failed on purpose (-D" + FAIL_REWRITE_OF + ")");
            }
            Set<String> hookSet = hooks == null ? Set.of() : hooks;
            Map<String, BlockingCalls.Call> callMap = calls == null ? Map.of() : calls;
            // Precomputed by the build from these exact bytes, or rewritten now; hooks read from what is installed
            byte[] rewritten = PrecomputedClasses.rewritten(className, classfile,
                    PrecomputedClasses.config(hookSet, callMap));
            if (rewritten == null) {
                rewritten = rewrite(className, methods, hookSet, callMap, classfile, new HashSet<>());
            }
            Set<String> found = HookScan.methodsCallingBridge(rewritten, methods);
            if (hooks != null) {
                Set<String> done = new HashSet<>(found);
                done.retainAll(hooks);
                hooked.put(className, Set.copyOf(done));
            }
            if (calls != null) {
                for (BlockingCalls.Call c : calls.values()) {
                    if (!found.contains(c.name() + c.desc())) {
                        later(System.Logger.Level.WARNING, "coio: cannot watch " + c.display() + " on this JDK (" + c.className()
                                + "." + c.name() + c.desc() + " not found); such calls are not reported.");
                    }
                }
            }
            return rewritten;
        } catch (Throwable t) {
            // Never break the JVM: leave the class as it is; the installer's checks report the gap.
            hooked.remove(className);
            later(System.Logger.Level.ERROR, "coio: could not rewrite " + className.replace('/', '.') + ": " + t);
            return null;
        }
    }

    /** Those of {@code names} (binary names) this rewriter has not been handed yet: to retransform if loaded. */
    Set<String> notTransformedYet(Set<String> names) {
        Set<String> left = new HashSet<>();
        for (String n : names) {
            if (!transformed.contains(n.replace('.', '/'))) {
                left.add(n);
            }
        }
        return left;
    }

    /**
     * Queues a line for {@link #printLater}. Never printed inside {@link #transform}: the class being transformed may
     * be one that printing needs ({@code jdk.internal.misc.Blocker} is on {@code System.err}'s path), and printing
     * would then load it again inside its own loading: a {@code ClassCircularityError} that leaves the class
     * unloadable for the rest of the JVM's life, which breaks every later {@code println} of the app.
     */
    private void later(System.Logger.Level level, String line) {
        messages.add(new Object[] {level, line});
    }

    /**
     * Prints the queued lines now (the installer calls this right after its rewrites, outside any transformation),
     * and, once, arranges that lines about classes rewritten later are printed at exit.
     */
    void printLater() {
        for (Object[] m; (m = messages.poll()) != null; ) {
            CoioLog.line((System.Logger.Level) m[0], (String) m[1]);
        }
        if (!printAtExit) {
            printAtExit = true;
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() { // not a lambda: start-up
                @Override
                public void run() {
                    printLater();
                }
            }, "coio-rewrite-messages"));
        }
    }

    /**
     * The installing thread, once the install's rewrites are done and checked: prints what they had to say
     * ({@link #printLater}) and, with {@code -Dcoio.debug.precomputed}, which JDK classes came precomputed, and lets
     * the precomputed packs go (not 1.3 MB of class bytes kept for the app's lifetime).
     */
    void installRewritesDone() {
        printLater();
        PrecomputedClasses.printPaths();
        PrecomputedClasses.releasePacks();
    }

    /**
     * Install-time check that every coroutine-mode hook is in place: loads each {@code TARGETS} class not loaded
     * yet (it is rewritten as it loads), then fails naming every target method this rewriter has not rewritten:
     * absent from the running JDK (another version's internals), native, or its class not transformed.
     */
    void checkEveryTargetHooked() throws ClassNotFoundException {
        for (String owner : TARGETS.keySet()) {
            if (inThisRuntime(owner)) {
                Class.forName(owner.replace('/', '.'), false, null);
            }
        }
        List<String> missing = missingTargets();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missingMessage(missing, Runtime.version().toString()));
        }
    }

    /** {@code Class.method(descriptor)} of each coroutine-mode target this rewriter has not rewritten, sorted. */
    List<String> missingTargets() {
        Map<String, Set<String>> present = new HashMap<>();
        for (Map.Entry<String, Set<String>> target : TARGETS.entrySet()) { // no lambda: runs at start-up
            if (inThisRuntime(target.getKey())) {
                present.put(target.getKey(), target.getValue());
            }
        }
        return missingTargets(present, hooked);
    }

    /**
     * Whether {@code owner}'s module is in this Java runtime: java.base always is; java.management
     * (ThreadMXBean, {@link #THREAD_IMPL}; {@link #MANAGEMENT_FACTORY}) may be left out of a jlink image, and then
     * there is nothing to hook.
     */
    static boolean inThisRuntime(String owner) {
        return !(owner.equals(THREAD_IMPL) || owner.equals(MANAGEMENT_FACTORY))
                || ModuleLayer.boot().findModule("java.management").isPresent();
    }

    /** {@code Class.method(descriptor)} of each target in {@code targets} not in {@code hooked}, sorted. */
    static List<String> missingTargets(Map<String, Set<String>> targets, Map<String, Set<String>> hooked) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Set<String>> owner : new TreeMap<>(targets).entrySet()) {
            Set<String> done = hooked.getOrDefault(owner.getKey(), Set.of());
            for (String method : new TreeSet<>(owner.getValue())) {
                if (!done.contains(method)) {
                    missing.add(owner.getKey().replace('/', '.') + "." + method);
                }
            }
        }
        return missing;
    }

    static String missingMessage(List<String> missing, String javaVersion) {
        return "JDK " + (missing.size() == 1 ? "member" : "members") + " that coio hooks not found on this JDK (Java "
                + javaVersion + "): " + String.join(", ", missing) + "; coio's coroutine mode is built for JDK 25's"
                + " internals";
    }

    /** The coroutine-mode targets, owner -> name + desc (for tests). */
    static Map<String, Set<String>> targets() {
        return TARGETS;
    }

    /** The ASM rewrite of {@code classfile} ({@link AsmRewrite}: ASM loads only when a class is rewritten at run time). */
    static byte[] rewrite(String className, Set<String> methods, Set<String> hooks,
                          Map<String, BlockingCalls.Call> calls, byte[] classfile, Set<String> found) {
        return AsmRewrite.rewrite(className, methods, hooks, calls, classfile, found);
    }

    private static Set<String> union(Set<String> a, String... more) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(java.util.List.of(more));
        return Set.copyOf(s);
    }

}
