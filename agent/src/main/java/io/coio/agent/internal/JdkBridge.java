package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import io.coio.agent.internal.detect.Detector;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bridge inside {@code java.base} ({@code sun.nio.ch.CoioBridge}) as both modes use it: defining it,
 * connecting its hooks, and retransforming the loaded JDK classes that call it. Compiled for Java 17 with the
 * rest of what detect mode loads (agent/pom.xml), so it runs on Java 17 too.
 *
 * <p>Threads: called by the installing thread only (premain/agentmain).
 */
final class JdkBridge {
    static final String TEMPLATE = "io/coio/agent/internal/bridge/CoioBridge";
    static final String APP_THREADS_TEMPLATE = "io/coio/agent/internal/bridge/CoioThreads";
    /** The hooks' base class, copied beside the bridge; coio's hook classes extend the copy. */
    static final String HOOKS_TEMPLATE = "io/coio/agent/internal/bridge/CoioHooks";
    static final String HOOKS_AS = "sun/nio/ch/CoioHooks";
    /** coio's hook classes (compiled against {@link #HOOKS_TEMPLATE}); each is defined as its name + {@link #LINKED}. */
    static final String READINESS_HOOKS = "io/coio/agent/internal/ReadinessHooks";
    static final String THREAD_HOOKS = "io/coio/agent/internal/ThreadHooks";
    static final String OBSERVER_HOOKS = "io/coio/agent/internal/ObserverHooks";
    static final String DETECTOR_HOOKS = "io/coio/agent/internal/detect/DetectorHooks";
    static final String LINKED = "Linked";
    /** Where the app-facing template lives once defined (app classes are rewritten to call it). */
    static final String APP_THREADS_AS = "java/lang/CoioThreads";
    /** Any java.base class of the bridge's package, present on every JDK coio runs on; not initialised. */
    private static final String PACKAGE_HOST = "sun.nio.ch.Net";

    private JdkBridge() {
    }

    /**
     * Copies the bridge template into java.base as sun.nio.ch.CoioBridge (no boot class path, no CDS warning).
     * Needs {@code sun.nio.ch} opened to coio's module. Not initialised here.
     */
    static Class<?> define() throws IOException, IllegalAccessException, ClassNotFoundException {
        try {
            return Class.forName(JdkRewriter.BRIDGE.replace('/', '.'), false, null); // agentmain twice
        } catch (ClassNotFoundException notYet) {
            // define it below
        }
        MethodHandles.Lookup inPackage = MethodHandles.privateLookupIn(Class.forName(PACKAGE_HOST, false, null),
                MethodHandles.lookup());
        try {
            Class.forName(HOOKS_AS.replace('/', '.'), false, null); // agentmain twice, the first time failed between
        } catch (ClassNotFoundException notYet) {
            inPackage.defineClass(renamed(HOOKS_TEMPLATE, HOOKS_AS)); // the bridge's static initialiser makes one
        }
        return inPackage.defineClass(renamed(TEMPLATE, JdkRewriter.BRIDGE));
    }

    /**
     * Copies the app-facing template into java.lang as {@code java.lang.CoioThreads} (exported to every module,
     * so rewritten app classes of any module link to it), its calls renamed to the defined bridge. Needs
     * {@code java.lang} opened to coio's module (coroutine mode only).
     */
    static void defineAppThreads() throws IOException, IllegalAccessException {
        try {
            Class.forName(APP_THREADS_AS.replace('/', '.'), false, null);
            return; // agentmain twice
        } catch (ClassNotFoundException notYet) {
            // define it below
        }
        MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                .defineClass(renamed(APP_THREADS_TEMPLATE, APP_THREADS_AS));
    }

    /**
     * The agent jar's copy of template {@code template}, renamed to {@code as}, its bridge references renamed too: as
     * the build renamed it ({@link PrecomputedClasses#bridge}; no ASM at run time), or renamed now if the jar lacks it
     * (a build without that step). The bytes depend on the agent's own classes only, not on the JDK.
     */
    static byte[] renamed(String template, String as) throws IOException {
        byte[] built = PrecomputedClasses.bridge(as);
        return built != null ? built : BridgeRenamer.renamed(template, as);
    }

    /**
     * Connects hook group {@code group} of the bridge to {@code hooks} (made by {@link #linkedHooks}), or back to the
     * JDK's own behaviour if null.
     */
    static void set(Class<?> bridge, String group, Object hooks) throws ReflectiveOperationException {
        bridge.getMethod("connect", String.class, Object.class).invoke(null, group, hooks);
    }

    /**
     * A new instance of coio's hook class {@code template} (internal name, in {@code inPackage}'s package), as the
     * bridge can call it: the class copied with its superclass renamed from the template base class to the copy in
     * java.base (precomputed by the build, see {@link #renamed}) and defined as {@code template + "Linked"} in
     * coio's class loader, once; {@code args} go to its public constructor of parameter types {@code types}. The
     * template itself is never loaded.
     */
    static Object linkedHooks(MethodHandles.Lookup inPackage, String template, Class<?>[] types, Object... args)
            throws IOException, ReflectiveOperationException {
        String as = template + LINKED;
        Class<?> linked;
        try {
            linked = Class.forName(as.replace('/', '.'), false, inPackage.lookupClass().getClassLoader());
        } catch (ClassNotFoundException notYet) {
            linked = inPackage.defineClass(renamed(template, as));
        }
        return linked.getConstructor(types).newInstance(args);
    }

    /**
     * Refuses to install while this JVM writes a CDS or AOT archive: JDK 25.0.3 crashed (SIGSEGV in
     * {@code ArchiveBuilder::record_regenerated_object}) writing an AOT cache in a JVM where coio was installed, in
     * either mode; refused, the app runs and the archive is written, without coio.
     */
    static void refuseWhileArchiving(Class<?> bridge) throws ReflectiveOperationException {
        if ((Boolean) bridge.getMethod("archiveBeingWritten").invoke(null)) {
            throw new IllegalStateException("this JVM is writing a CDS or AOT archive (-XX:AOTCacheOutput,"
                    + " -XX:AOTMode=record or -XX:ArchiveClassesAtExit), which JDK 25 cannot do with coio installed"
                    + " (the JVM crashes writing it). Fix: record the archive without -javaagent:coio-agent.jar");
        }
    }

    /** Connects the blocking-call prologues to {@code detector} and turns them on if it watches any. */
    static void connectReports(Class<?> bridge, Detector detector) throws ReflectiveOperationException, IOException {
        set(bridge, "reports", linkedHooks(MethodHandles.privateLookupIn(Detector.class, MethodHandles.lookup()),
                DETECTOR_HOOKS, new Class<?>[] {Detector.class}, detector));
        bridge.getField("detect").setBoolean(null, !detector.watchedCalls().isEmpty());
    }

    /** Turns the blocking-call prologues off again (detect mode's part of "every hook disconnected"). */
    static void disconnectReports(Class<?> bridge) {
        if (bridge == null) {
            return;
        }
        try {
            bridge.getField("detect").setBoolean(null, false);
            set(bridge, "reports", null);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // best effort: with detect false the prologues return at once
        }
    }

    /** Every hook group back to the JDK's own behaviour: the JDK's code runs as if coio were absent. */
    static void disconnectAll(Class<?> bridge) {
        disconnectReports(bridge);
        if (bridge == null) {
            return;
        }
        for (String group : new String[] {"threads", "readiness", "observer"}) {
            try {
                set(bridge, group, null);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // best effort: one group failing must not keep the others connected
            }
        }
    }

    /** Makes every thread's cached "non-blocking?" answer in the bridge stale (after a thread is marked). */
    static Runnable epochBump(Class<?> bridge) throws NoSuchFieldException {
        Field epoch = bridge.getField("epoch");
        return new Runnable() { // not a lambda: runs at start-up, where each lambda costs a spun class
            @Override
            public void run() {
                try {
                    epoch.set(null, new Object());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /** Retransforms the already-loaded JDK classes that own {@code watched} methods (the rest are rewritten at load). */
    static void retransformLoaded(Instrumentation inst, List<BlockingCalls.Call> watched)
            throws UnmodifiableClassException {
        retransformLoaded(inst, BlockingCalls.classNames(watched));
    }

    /** Retransforms the loaded, modifiable boot-loader classes among {@code names} (binary names). */
    static void retransformLoaded(Instrumentation inst, Set<String> names) throws UnmodifiableClassException {
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
}
