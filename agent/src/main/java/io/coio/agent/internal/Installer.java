package io.coio.agent.internal;

import io.coio.agent.internal.AgentOptions.BadOption;
import io.coio.agent.internal.detect.BlockingCalls;
import io.coio.agent.internal.detect.Detector;
import io.coio.agent.internal.observe.Observability;
import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Installs coio into the running JVM, in an order that never leaves the app half-hooked:
 * <ol>
 *   <li>parse options (a bad one: one line, nothing changed);
 *   <li>open {@code java.lang} and {@code sun.nio.ch} to coio and allow its native library (no user flags);
 *   <li>define the bridge inside {@code java.base} and rewrite the JDK classes (their hooks do nothing yet), while
 *       Netty initialises on a helper thread ({@link EarlyNettyInit}); then start the runtime (carriers);
 *   <li>connect the readiness hooks and check that one real socket wait went through coio;
 *   <li>only then convert app threads. If anything fails, every hook is disconnected again.
 * </ol>
 * {@code mode=detect} takes a shorter path ({@link DetectInstaller}): no runtime, no conversion; the bridge plus
 * prologues on the blocking JDK methods of {@link BlockingCalls}, checked the same way.
 * Called reflectively by {@code io.coio.agent.CoioAgent} on Java 25 and newer (Java 17-24: {@link BelowJava25}).
 * Compiled for Java 25. Not API.
 */
public final class Installer {
    private Installer() {
    }

    public static void install(String args, Instrumentation inst) {
        InstallTimes times = new InstallTimes();
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, Runtime.getRuntime().availableProcessors());
        } catch (BadOption e) {
            CoioLog.line(Level.ERROR, "coio: " + e.getMessage() + " The app runs without coio.");
            return;
        }
        if (options.mode() == AgentOptions.Mode.OFF) {
            return;
        }
        if (options.mode() == AgentOptions.Mode.DETECT) {
            DetectInstaller.install(options, inst);
            return;
        }
        Class<?> bridge = null;
        JdkRewriter rewriter = null;
        Set<String> rewritable = new java.util.HashSet<>();
        CoioRuntime runtime = null;
        AppThreadCalls appCalls = null;
        Runnable observability = null;
        EarlyNettyInit netty = null;
        try {
            openJdk(inst);
            NettyLog.install(); // coio's Netty logs through coio, not java.util.logging (start-up time)
            times.mark("open");
            bridge = JdkBridge.define();
            JdkBridge.refuseWhileArchiving(bridge);
            times.mark("bridge");
            // Blocking-call reports (DESIGN.md §4): pinned coroutines by default; report=all adds file I/O and DNS.
            Detector reports = options.report() == AgentOptions.Report.NONE ? null
                    : Detector.startCoroutineReports(true, options.report() == AgentOptions.Report.ALL,
                            options.allow(), JdkBridge.epochBump(bridge), new IsCoroutine());
            List<BlockingCalls.Call> watched = reports == null ? List.of() : reports.watchedCalls();
            rewritable.addAll(JdkRewriter.coroutineTargetClasses());
            rewritable.addAll(BlockingCalls.classNames(watched));
            times.mark("reports");
            rewriter = new JdkRewriter(true, watched);
            inst.addTransformer(rewriter, true);
            // Netty's class initialisation runs beside the JDK rewrite, which needs none of it. Started only now: the
            // JDK classes it loads (ManagementFactory, for its direct-memory estimate) are then rewritten as they load,
            // from the image's bytes. Loaded and used before the transformer, they were retransformed from bytes the
            // JVM reconstitutes, which depend on how far Netty had got (a race): the precomputed rewrite then missed
            // now and then and ASM ran instead (PrecomputedRewritesTest).
            netty = EarlyNettyInit.start(new NettyInit());
            Class.forName("jdk.internal.misc.Blocker", true, null); // rewritten now, not inside a coroutine's first I/O
            times.mark("blocker");
            // only what was loaded before the rewriter was added: the rest is (or was) rewritten as it loads, and
            // checkEveryTargetHooked loads what is left
            JdkBridge.retransformLoaded(inst, rewriter.notTransformedYet(rewritable));
            times.mark("rewrite");
            rewriter.checkEveryTargetHooked(); // a JDK member missing: fails here, named, before any hook connects
            rewriter.installRewritesDone(); // what the rewrites had to say (never printed while a JDK class loads)
            times.mark("check");
            CoioRuntime.prepareJdkPollerAndHandOffs();
            times.mark("poller");
            netty.join();
            times.mark("netty");
            runtime = CoioRuntime.start(options.carriers(), options.spares(), options.blocked(), options.longRun(),
                    options.slice(), options.steal());
            runtime.reportExtraLoopThreads(options.report() == AgentOptions.Report.ALL);
            times.mark("runtime");
            JdkBridge.set(bridge, "readiness", JdkBridge.linkedHooks(MethodHandles.lookup(), JdkBridge.READINESS_HOOKS,
                    new Class<?>[] {boolean.class}, reports != null));
            if (reports != null) {
                JdkBridge.connectReports(bridge, reports);
                reports.printSummaryAtExit(options.quiet());
            }
            times.mark("connect");
            SelfCheck.run(runtime);
            times.mark("selfcheck");
            JdkBridge.defineAppThreads();
            connectThreads(bridge, runtime, options);
            times.mark("threads");
            appCalls = rewriteAppClasses(inst);
            times.mark("appclasses");
            // JMX MBeans + JFR statistics, registered when the MBean server / JFR start; undoes itself if it fails
            observability = Observability.install(runtime, new ObserverConnection(bridge));
            times.mark("observability");
            if (!options.hookLibraries().isEmpty()) {
                io.coio.nativeswap.NativeCall.hookWhenLoaded(options.hookLibraries()); // libc calls of those libraries yield
            }
            runtime.allowHeapSocketIo(); // installed: the app's first tracked socket I/O may link coio's own
            System.setProperty("coio.mode", "coroutine");
            System.setProperty("coio.carriers", Integer.toString(runtime.carrierCount()));
            if (options.stats()) {
                CoioRuntime started = runtime;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> printStats(started), "coio-stats"));
            }
            if (!options.quiet()) {
                CoioLog.line(Level.INFO, "coio: coroutine mode, " + runtime.carrierCount()
                        + (runtime.carrierCount() == 1 ? " carrier, " : " carriers, ")
                        + (runtime.transport().equals("epoll") ? "epoll readiness"
                                : "NIO loop (native epoll unavailable: readiness from the JDK poller)")
                        + ", Java " + System.getProperty("java.runtime.version")); // Runtime.version() spins lambdas
            }
            times.print("coroutine-mode install");
        } catch (Throwable t) {
            if (netty != null) {
                netty.awaitQuietly();
            }
            if (observability != null) {
                try {
                    observability.run();
                } catch (RuntimeException | Error e) {
                    CoioLog.line(Level.ERROR, "coio: could not unregister its MBeans/JFR listener (" + e + ").");
                }
            }
            if (rewriter != null) {
                rewriter.printLater();
            }
            String undo = uninstall(inst, bridge, rewriter, appCalls, rewritable, runtime);
            CoioLog.line(Level.ERROR, "coio: could not install (" + t + "). The app runs without coio." + undo);
            if (Boolean.getBoolean("coio.debug")) {
                t.printStackTrace();
            }
        }
    }

    /**
     * After a failed installation: every hook disconnected, the transformer removed, the rewritten JDK classes
     * retransformed back to their own bytes, the carriers, spare threads and watchdog stopped. Returns "" or, if a
     * step failed, a sentence naming it (the app still runs; the hooks are disconnected in any case).
     */
    private static String uninstall(Instrumentation inst, Class<?> bridge, JdkRewriter rewriter,
                                    AppThreadCalls appCalls, Set<String> rewritable, CoioRuntime runtime) {
        JdkBridge.disconnectAll(bridge);
        Detector.stop();
        StringBuilder problems = new StringBuilder();
        if (appCalls != null) {
            inst.removeTransformer(appCalls); // classes already rewritten call CoioThreads: with the hooks off, currentThread()
        }
        if (rewriter != null) {
            inst.removeTransformer(rewriter);
            try {
                // Also those loaded (and rewritten) since the installation began. With no transformer: their own bytes.
                JdkBridge.retransformLoaded(inst, rewritable);
            } catch (Throwable e) {
                problems.append(" Could not restore the JDK classes (").append(e).append("); coio's hooks in them are disconnected.");
            }
        }
        if (runtime != null) {
            try {
                if (!runtime.stop(java.time.Duration.ofSeconds(10))) {
                    problems.append(" A coio carrier thread did not stop within 10 s.");
                }
            } catch (Throwable e) {
                problems.append(" Could not stop coio's carriers (").append(e).append(").");
            }
        }
        return problems.toString();
    }

    /** Opens what coio reaches into, for coio's own module only, and lets it load its native library. */
    private static void openJdk(Instrumentation inst) throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        Module coio = Installer.class.getModule();
        inst.redefineModule(base, Set.of(),
                Map.of("sun.nio.ch", Set.of(coio), "jdk.internal.misc", Set.of(coio),
                        "jdk.internal.vm", Set.of(coio), // Continuation: explicit coroutines (coio-api)
                        "sun.net", Set.of(coio)), // ConnectionResetException: coio's own socket reads (HeapSocketIo)
                Map.of("java.lang", Set.of(coio), "sun.nio.ch", Set.of(coio), "java.util.concurrent", Set.of(coio)),
                Set.of(), Map.of());
        // ThreadMXBean (java.management's ThreadImpl) calls the bridge; coio builds ThreadInfos for app threads.
        Module management = ModuleLayer.boot().findModule("java.management").orElse(null);
        if (management != null) {
            inst.redefineModule(base, Set.of(), Map.of("sun.nio.ch", Set.of(management)), Map.of(), Set.of(), Map.of());
            inst.redefineModule(management, Set.of(), Map.of(), Map.of("java.lang.management", Set.of(coio)),
                    Set.of(), Map.of());
        }
    }

    /**
     * Lets coio's module (the class path's unnamed module) load its native library. Call after
     * {@link CoioRuntime#initNettyPlatform()}, before Netty's native epoll loads.
     */
    private static void enableNativeAccess() {
        // JDK 22+: without this, loading Netty's JNI library prints a "restricted method" warning. Native
        // access is granted per module, and coio shares the class path's unnamed module with the app, so
        // this is the same as --enable-native-access=ALL-UNNAMED (documented in the agent README).
        try {
            Method enable = Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed");
            enable.setAccessible(true);
            enable.invoke(null);
        } catch (NoSuchMethodException absentOnThisJdk) {
            // JDK 21: no native-access checks
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot allow coio's native library (" + e + ")", e);
        }
    }

    /**
     * From now on app classes call {@code java.lang.CoioThreads.currentThread()} instead of
     * {@code Thread.currentThread()} ({@link AppThreadCalls}); app classes loaded already (few, at premain)
     * are rewritten too.
     */
    private static AppThreadCalls rewriteAppClasses(Instrumentation inst)
            throws java.lang.instrument.UnmodifiableClassException {
        AppThreadCalls appCalls = new AppThreadCalls();
        inst.addTransformer(appCalls, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            ClassLoader l = c.getClassLoader();
            if (l != null && l != ClassLoader.getPlatformClassLoader() && inst.isModifiableClass(c)
                    && !c.isHidden() && !ThreadConversion.isCoioInternal(c.getName())) {
                loaded.add(c);
            }
        }
        if (!loaded.isEmpty()) {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        }
        return appCalls;
    }

    private static void connectThreads(Class<?> bridge, CoioRuntime runtime, AgentOptions options)
            throws ReflectiveOperationException, java.io.IOException {
        java.lang.reflect.Field anyShadow = bridge.getField("anyShadow");
        ThreadConversion conversion = new ThreadConversion(runtime, options.include(), options.exclude(), new Runnable() {
            @Override
            public void run() {
                try {
                    anyShadow.setBoolean(null, true);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        ThreadListing listing = new ThreadListing(conversion.runningAppThreads(), ThreadListing.threadInfoConstructor());
        JdkBridge.set(bridge, "threads", JdkBridge.linkedHooks(MethodHandles.lookup(), JdkBridge.THREAD_HOOKS,
                new Class<?>[] {ThreadConversion.class, ThreadListing.class}, conversion, listing));
    }

    /*
     * Classes, not lambdas, for what the install runs once: each lambda is a class spun through java.lang.invoke at
     * first use, ~0.5 ms of CPU at start-up (agent/README.md, "Start-up time").
     */

    /** Netty's initialisation, on {@code coio-init} ({@link EarlyNettyInit}). */
    private static final class NettyInit implements Runnable {
        @Override
        public void run() {
            InstallTimes times = new InstallTimes();
            CoioRuntime.initNettyPlatform(); // before native access: no FFM linker for Netty's few buffers
            times.mark("platform");
            enableNativeAccess();
            CoioRuntime.prepareNetty(); // Netty's epoll and the classes of the carriers' loops
            times.mark("epoll");
            times.print("Netty's initialisation (coio-init)");
        }
    }

    /** {@link CoioRuntime#isCoroutine}, for the pinned-coroutine reports. */
    private static final class IsCoroutine implements java.util.function.Predicate<Thread> {
        @Override
        public boolean test(Thread t) {
            return CoioRuntime.isCoroutine(t);
        }
    }

    /**
     * Connects the bridge's {@code observer} group to a callback ({@link ObserverHooks}), or disconnects it (null).
     * Threads: the installing thread, and whichever thread undoes the observability.
     */
    private static final class ObserverConnection implements java.util.function.Consumer<java.util.function.Consumer<Object>> {
        private final Class<?> bridge;

        ObserverConnection(Class<?> bridge) {
            this.bridge = bridge;
        }

        @Override
        public void accept(java.util.function.Consumer<Object> serverCreated) {
            try {
                JdkBridge.set(bridge, "observer", serverCreated == null ? null : JdkBridge.linkedHooks(
                        MethodHandles.lookup(), JdkBridge.OBSERVER_HOOKS, new Class<?>[] {java.util.function.Consumer.class},
                        serverCreated));
            } catch (ReflectiveOperationException | java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void printStats(CoioRuntime runtime) {
        for (CarrierStats s : runtime.stats()) {
            CoioLog.line(Level.INFO, s.toString());
        }
    }
}
