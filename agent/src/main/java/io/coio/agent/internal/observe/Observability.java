package io.coio.agent.internal.observe;

import io.coio.agent.internal.CoioLog;
import io.coio.runtime.CoioRuntime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * coio's live view, installed by the agent in coroutine mode: the MBeans {@code io.coio:type=Runtime} and
 * {@code io.coio:type=Carrier,id=N} in the platform MBean server ({@link StatsMBeans}), and the periodic JFR event
 * {@code coio.CarrierStatistics} ({@link CarrierStatsEvent}). Both are read-only views of
 * {@link CoioRuntime#stats()}, generated from the {@code CarrierStats} record's components.
 *
 * <p>Both are registered when their subsystem starts, not at coio's start: the MBeans when the platform MBean server
 * is created, the event type when JFR is initialised (each costs tens of milliseconds of start-up to create; an app
 * that is never watched pays nothing). Whoever looks, through JMX or a recording, finds them there.
 *
 * <p>This class names no {@code java.management} or {@code jdk.jfr} type, so that it loads on a Java runtime
 * built without those modules (jlink); the part whose module is missing is left out, and said so in one line.
 *
 * <p>Threads: the installing thread.
 */
public final class Observability {
    /*
     * Classes, not lambdas, in what runs at install: each lambda is a class spun through java.lang.invoke at first
     * use (start-up time, agent/README.md).
     */
    private static final Runnable NOTHING = new Runnable() {
        @Override
        public void run() {
        }
    };

    private Observability() {
    }

    /**
     * Arranges the MBeans and the JFR event for {@code runtime}; {@code mbeanServerHook} connects (or, given null,
     * disconnects) the bridge hook that {@code ManagementFactory.getPlatformMBeanServer()} calls once it has made the
     * server. On failure, undoes what it did and throws. Returns the undo.
     */
    public static Runnable install(CoioRuntime runtime, Consumer<Consumer<Object>> mbeanServerHook) throws Exception {
        List<String> missing = new ArrayList<>();
        Runnable undoMBeans = NOTHING;
        if (present("java.management")) {
            undoMBeans = StatsMBeans.registerWhenCreated(runtime, mbeanServerHook);
        } else {
            missing.add("module java.management (no coio MBeans)");
        }
        Runnable undoJfr = NOTHING;
        try {
            if (present("jdk.jfr")) {
                undoJfr = CarrierStatsEvent.registerWhenJfrStarts(runtime);
            } else {
                missing.add("module jdk.jfr (no coio.CarrierStatistics event)");
            }
        } catch (RuntimeException | Error e) {
            undoMBeans.run();
            throw e;
        }
        if (!missing.isEmpty()) {
            CoioLog.line(Level.WARNING, "coio: not in this Java runtime: " + String.join(", ", missing) + ".");
        }
        Runnable mbeans = undoMBeans;
        Runnable jfr = undoJfr;
        return new Runnable() {
            @Override
            public void run() {
                jfr.run();
                mbeans.run();
            }
        };
    }

    private static boolean present(String module) {
        return ModuleLayer.boot().findModule(module).isPresent();
    }
}
