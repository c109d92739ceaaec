package io.coio.agent.internal.observe;

import io.coio.agent.internal.CoioLog;
import io.coio.runtime.CoioRuntime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * coio's live view, installed by the agent in coroutine mode: the MBeans {@code io.coio:type=Runtime} and
 * {@code io.coio:type=Carrier,id=N} in the platform MBean server ({@link StatsMBeans}), and the periodic JFR event
 * {@code coio.CarrierStatistics} ({@link CarrierStatsEvent}). Both are read-only views of
 * {@link CoioRuntime#stats()}, generated from the {@code CarrierStats} record's components.
 *
 * <p>This class names no {@code java.management} or {@code jdk.jfr} type, so that it loads on a Java runtime
 * built without those modules (jlink); the part whose module is missing is left out, and said so in one line.
 *
 * <p>Threads: the installing thread.
 */
public final class Observability {
    private Observability() {
    }

    /** Registers the MBeans and the JFR event for {@code runtime}; on failure, undoes what it did and throws. */
    public static void install(CoioRuntime runtime) throws Exception {
        List<String> missing = new ArrayList<>();
        Runnable unregisterMBeans = null;
        if (present("java.management")) {
            unregisterMBeans = StatsMBeans.register(runtime);
        } else {
            missing.add("module java.management (no coio MBeans)");
        }
        try {
            if (present("jdk.jfr")) {
                CarrierStatsEvent.register(runtime);
            } else {
                missing.add("module jdk.jfr (no coio.CarrierStatistics event)");
            }
        } catch (RuntimeException | Error e) {
            if (unregisterMBeans != null) {
                unregisterMBeans.run();
            }
            throw e;
        }
        if (!missing.isEmpty()) {
            CoioLog.line(Level.WARNING, "coio: not in this Java runtime: " + String.join(", ", missing) + ".");
        }
    }

    private static boolean present(String module) {
        return ModuleLayer.boot().findModule(module).isPresent();
    }
}
