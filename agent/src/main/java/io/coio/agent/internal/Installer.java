package io.coio.agent.internal;

import io.coio.agent.internal.AgentOptions.BadOption;
import io.coio.agent.internal.detect.BlockingCalls;
import io.coio.agent.internal.detect.Detector;
import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;
import io.coio.runtime.Hooks;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Installs coio into the running JVM, in an order that never leaves the app half-hooked:
 * <ol>
 *   <li>parse options (a bad one: one line, nothing changed);
 *   <li>open {@code java.lang} and {@code sun.nio.ch} to coio and allow its native library (no user flags);
 *   <li>start the runtime (carriers), define the bridge inside {@code java.base}, rewrite the JDK classes;
 *   <li>connect the readiness hooks and check that one real socket wait went through coio;
 *   <li>only then convert app threads. If anything fails, every hook is disconnected again.
 * </ol>
 * {@code mode=detect} takes a shorter path ({@link #installDetect}): no runtime, no conversion; the bridge plus
 * prologues on the blocking JDK methods of {@link BlockingCalls}, checked the same way.
 * Called reflectively by {@code io.coio.agent.CoioAgent} after the Java version check. Not API.
 */
public final class Installer {
    private static final String BRIDGE_TEMPLATE = "io/coio/agent/internal/bridge/CoioBridge";

    private Installer() {
    }

    public static void install(String args, Instrumentation inst) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, Runtime.getRuntime().availableProcessors());
        } catch (BadOption e) {
            System.err.println("coio: " + e.getMessage() + " The app runs without coio.");
            return;
        }
        if (options.mode() == AgentOptions.Mode.OFF) {
            return;
        }
        if (options.mode() == AgentOptions.Mode.DETECT) {
            installDetect(options, inst);
            return;
        }
        Class<?> bridge = null;
        try {
            openJdk(inst);
            CoioRuntime runtime = CoioRuntime.start(options.carriers());
            bridge = defineBridge();
            // Blocking-call reports (DESIGN.md §4): pinned coroutines by default; report=all adds file I/O and DNS.
            Detector reports = options.report() == AgentOptions.Report.NONE ? null
                    : Detector.startCoroutineReports(true, options.report() == AgentOptions.Report.ALL,
                            options.allow(), epochBump(bridge));
            List<BlockingCalls.Call> watched = reports == null ? List.of() : reports.watchedCalls();
            inst.addTransformer(new JdkRewriter(true, watched), true);
            inst.retransformClasses(Class.forName("sun.nio.ch.Poller"), Class.forName("java.lang.VirtualThread"),
                    Thread.class);
            retransformLoaded(inst, watched);
            connectReadiness(bridge);
            if (reports != null) {
                connectReports(bridge, reports);
                set(bridge, "pinnedPark", MethodHandles.lookup().findStatic(Detector.class, "beforePinnedPark",
                        MethodType.methodType(void.class, Thread.class)));
                reports.printSummaryAtExit(options.quiet());
            }
            SelfCheck.run(runtime);
            connectThreads(bridge, runtime, options);
            System.setProperty("coio.mode", "coroutine");
            System.setProperty("coio.carriers", Integer.toString(runtime.carrierCount()));
            if (options.stats()) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> printStats(runtime), "coio-stats"));
            }
            if (!options.quiet()) {
                System.err.println("coio: coroutine mode, " + runtime.carrierCount()
                        + (runtime.carrierCount() == 1 ? " carrier, " : " carriers, ")
                        + (runtime.transport().equals("epoll") ? "epoll readiness"
                                : "NIO loop (native epoll unavailable: readiness from the JDK poller)")
                        + ", Java " + Runtime.version());
            }
        } catch (Throwable t) {
            disconnect(bridge);
            Detector.stop();
            System.err.println("coio: could not install (" + t + "). The app runs without coio.");
            if (Boolean.getBoolean("coio.debug")) {
                t.printStackTrace();
            }
        }
    }

    /**
     * {@code mode=detect}: converts nothing and starts no carriers. Defines the bridge, puts the
     * {@code CoioBridge.blocking(...)} prologue on every method of {@link BlockingCalls}, connects the
     * {@link Detector}, and proves with one watched call that the prologues reach it.
     */
    private static void installDetect(AgentOptions options, Instrumentation inst) {
        Class<?> bridge = null;
        JdkRewriter rewriter = null;
        try {
            Module coio = Installer.class.getModule();
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("sun.nio.ch", Set.of(coio)),
                    Set.of(), Map.of());
            bridge = defineBridge();
            boolean fail = options.onBlock() == AgentOptions.OnBlock.THROW;
            Detector detector = Detector.startDetect(options.nonBlocking(), options.allow(), fail, epochBump(bridge));
            List<BlockingCalls.Call> watched = detector.watchedCalls();
            rewriter = new JdkRewriter(false, watched);
            inst.addTransformer(rewriter, true);
            retransformLoaded(inst, watched);
            connectReports(bridge, detector);
            detector.selfCheck();
            detector.printSummaryAtExit(options.quiet());
            System.setProperty("coio.mode", "detect");
            if (!options.quiet()) {
                System.err.println("coio: detect mode, non-blocking threads: " + detector.describeNonBlocking()
                        + "; a blocking call on one is " + (fail ? "thrown as BlockingCallError" : "reported")
                        + ", Java " + Runtime.version());
            }
        } catch (Throwable t) {
            disconnect(bridge);
            Detector.stop();
            if (rewriter != null) {
                inst.removeTransformer(rewriter);
            }
            System.err.println("coio: could not install detect mode (" + t + "). The app runs without coio.");
            if (Boolean.getBoolean("coio.debug")) {
                t.printStackTrace();
            }
        }
    }

    /** Retransforms the already-loaded JDK classes that own {@code watched} methods (the rest are rewritten at load). */
    private static void retransformLoaded(Instrumentation inst, List<BlockingCalls.Call> watched)
            throws java.lang.instrument.UnmodifiableClassException {
        Set<String> names = BlockingCalls.classNames(watched);
        if (names.isEmpty()) {
            return;
        }
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && names.contains(c.getName()) && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        if (!loaded.isEmpty()) {
            inst.retransformClasses(loaded.toArray(new Class<?>[0]));
        }
    }

    /** Connects the blocking-call prologues to {@code detector} and turns them on if it watches any. */
    private static void connectReports(Class<?> bridge, Detector detector) throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.lookup();
        set(bridge, "nonBlocking", l.findVirtual(Detector.class, "isNonBlocking",
                MethodType.methodType(boolean.class, Thread.class)).bindTo(detector));
        set(bridge, "blockingCall", l.findVirtual(Detector.class, "blockingCall",
                MethodType.methodType(void.class, int.class, Object.class, long.class)).bindTo(detector));
        bridge.getField("detect").setBoolean(null, !detector.watchedCalls().isEmpty());
    }

    /** Makes every thread's cached "non-blocking?" answer in the bridge stale (after a thread is marked). */
    private static Runnable epochBump(Class<?> bridge) throws NoSuchFieldException {
        Field epoch = bridge.getField("epoch");
        return () -> {
            try {
                epoch.set(null, new Object());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** Opens what coio reaches into, for coio's own module only, and lets it load its native library. */
    private static void openJdk(Instrumentation inst) throws ReflectiveOperationException {
        Module base = Object.class.getModule();
        Module coio = Installer.class.getModule();
        inst.redefineModule(base, Set.of(),
                Map.of("sun.nio.ch", Set.of(coio), "jdk.internal.misc", Set.of(coio),
                        "jdk.internal.vm", Set.of(coio)), // Continuation: explicit coroutines (coio-api)
                Map.of("java.lang", Set.of(coio), "sun.nio.ch", Set.of(coio)),
                Set.of(), Map.of());
        // JDK 22+: without this, loading Netty's JNI library prints a "restricted method" warning. Native
        // access is granted per module, and coio shares the class path's unnamed module with the app, so
        // this is the same as --enable-native-access=ALL-UNNAMED (documented in the agent README).
        try {
            Method enable = Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed");
            enable.setAccessible(true);
            enable.invoke(null);
        } catch (NoSuchMethodException absentOnThisJdk) {
            // JDK 21: no native-access checks
        }
    }

    /** Copies the bridge template into java.base as sun.nio.ch.CoioBridge (no boot class path, no CDS warning). */
    private static Class<?> defineBridge() throws IOException, IllegalAccessException, ClassNotFoundException {
        try {
            return Class.forName(JdkRewriter.BRIDGE.replace('/', '.'), false, null); // agentmain twice
        } catch (ClassNotFoundException notYet) {
            // define it below
        }
        byte[] template;
        try (InputStream in = Installer.class.getResourceAsStream("/" + BRIDGE_TEMPLATE + ".class")) {
            if (in == null) {
                throw new IOException("bridge template missing from the agent jar");
            }
            template = in.readAllBytes();
        }
        ClassWriter w = new ClassWriter(0);
        new ClassReader(template).accept(new ClassRemapper(w, new SimpleRemapper(BRIDGE_TEMPLATE, JdkRewriter.BRIDGE)), 0);
        // Not initialised here: detect mode has no use for the JDK's poller threads (coroutine mode starts them).
        MethodHandles.Lookup inPoller = MethodHandles.privateLookupIn(Class.forName("sun.nio.ch.Poller", false, null),
                MethodHandles.lookup());
        return inPoller.defineClass(w.toByteArray());
    }

    private static void connectReadiness(Class<?> bridge) throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.lookup();
        set(bridge, "poll", l.findStatic(Hooks.class, "poll",
                MethodType.methodType(boolean.class, int.class, int.class, long.class, BooleanSupplier.class)));
        set(bridge, "pollSelector", l.findStatic(Hooks.class, "pollSelector",
                MethodType.methodType(boolean.class, int.class, long.class)));
        set(bridge, "stopPoll", l.findStatic(Hooks.class, "stopPoll",
                MethodType.methodType(void.class, int.class, int.class)));
        set(bridge, "pinnedPark", l.findStatic(Hooks.class, "beforePinnedPark",
                MethodType.methodType(void.class, Thread.class)));
        set(bridge, "schedule", l.findStatic(Hooks.class, "schedule",
                MethodType.methodType(Future.class, Thread.class, Runnable.class, long.class, TimeUnit.class)));
    }

    private static void connectThreads(Class<?> bridge, CoioRuntime runtime, AgentOptions options)
            throws ReflectiveOperationException {
        java.lang.reflect.Field anyShadow = bridge.getField("anyShadow");
        ThreadConversion conversion = new ThreadConversion(runtime, options.include(), options.exclude(), () -> {
            try {
                anyShadow.setBoolean(null, true);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        });
        MethodHandles.Lookup l = MethodHandles.lookup();
        set(bridge, "shadowOf", l.findVirtual(ThreadConversion.class, "shadowOf",
                MethodType.methodType(Thread.class, Thread.class)).bindTo(conversion));
        set(bridge, "threadStart", l.findVirtual(ThreadConversion.class, "start",
                MethodType.methodType(boolean.class, Thread.class)).bindTo(conversion));
    }

    private static void set(Class<?> bridge, String hook, MethodHandle handle) throws ReflectiveOperationException {
        bridge.getMethod("connect", String.class, MethodHandle.class).invoke(null, hook, handle);
    }

    /** Every hook back to "do nothing": the JDK's code runs as if coio were absent. */
    private static void disconnect(Class<?> bridge) {
        if (bridge == null) {
            return;
        }
        try {
            bridge.getField("detect").setBoolean(null, false);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // best effort, as below
        }
        for (String f : new String[] {"threadStart", "shadowOf", "poll", "pollSelector", "stopPoll", "pinnedPark",
                "schedule", "nonBlocking", "blockingCall"}) {
            try {
                set(bridge, f, null);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // best effort: the field may not exist in a partially defined bridge
            }
        }
    }

    private static void printStats(CoioRuntime runtime) {
        for (CarrierStats s : runtime.stats()) {
            System.err.println(s);
        }
    }
}
