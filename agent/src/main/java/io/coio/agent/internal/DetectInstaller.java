package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import io.coio.agent.internal.detect.Detector;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Installs {@code mode=detect}: converts nothing and starts no carriers. Defines the bridge, puts the
 * {@code CoioBridge.blocking(...)} prologue on every method of {@link BlockingCalls} the running JDK has, connects
 * the {@link Detector}, and proves with one watched call that the prologues reach it. What cannot be watched on
 * this JDK is said at start-up ({@link BlockingCalls#unwatchable()}).
 *
 * <p>Compiled for Java 17 (agent/pom.xml), with everything it loads: detect mode runs on Java 17 and newer.
 * Threads: the installing thread only.
 */
final class DetectInstaller {
    private DetectInstaller() {
    }

    static void install(AgentOptions options, Instrumentation inst) {
        InstallTimes times = new InstallTimes();
        Class<?> bridge = null;
        JdkRewriter rewriter = null;
        try {
            Module coio = DetectInstaller.class.getModule();
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("sun.nio.ch", Set.of(coio)),
                    Set.of(), Map.of());
            bridge = JdkBridge.define();
            JdkBridge.refuseWhileArchiving(bridge);
            times.mark("bridge");
            boolean fail = options.onBlock() == AgentOptions.OnBlock.THROW;
            Detector detector = Detector.startDetect(options.nonBlocking(), options.allow(), fail,
                    JdkBridge.epochBump(bridge));
            List<BlockingCalls.Call> watched = detector.watchedCalls();
            times.mark("detector");
            rewriter = new JdkRewriter(false, watched);
            inst.addTransformer(rewriter, true);
            JdkBridge.retransformLoaded(inst, watched);
            times.mark("rewrite");
            rewriter.installRewritesDone(); // what the rewrites had to say (never printed while a JDK class loads)
            JdkBridge.connectReports(bridge, detector);
            detector.selfCheck();
            times.mark("selfcheck");
            detector.printSummaryAtExit(options.quiet());
            System.setProperty("coio.mode", "detect");
            if (!options.quiet()) {
                CoioLog.line(System.Logger.Level.INFO, "coio: detect mode, non-blocking threads: " + detector.describeNonBlocking()
                        + "; a blocking call on one is " + (fail ? "thrown as BlockingCallError" : "reported")
                        + ", Java " + System.getProperty("java.runtime.version")); // Runtime.version() spins lambdas
            }
            for (String gap : BlockingCalls.unwatchable()) {
                CoioLog.line(System.Logger.Level.WARNING, "coio: detect mode: " + gap + ".");
            }
            times.print("detect-mode install");
        } catch (Throwable t) {
            JdkBridge.disconnectReports(bridge);
            Detector.stop();
            if (rewriter != null) {
                inst.removeTransformer(rewriter);
                rewriter.printLater();
            }
            CoioLog.line(System.Logger.Level.ERROR, "coio: could not install detect mode (" + t + "). The app runs without coio.");
            if (Boolean.getBoolean("coio.debug")) {
                t.printStackTrace();
            }
        }
    }
}
