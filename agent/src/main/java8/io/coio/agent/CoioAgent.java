package io.coio.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * The agent's entry point ({@code Premain-Class}, {@code Agent-Class}, {@code Launcher-Agent-Class}).
 *
 * <p>Compiled for Java 8 on purpose: on a JVM older than coio supports it must still load, say so in
 * one line and leave the app untouched. Everything else lives in {@code io.coio.agent.internal}, compiled
 * for Java 21, and is only loaded after the version check.
 */
public final class CoioAgent {
    static final int MIN_JAVA = 21;

    private CoioAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        install(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        install(args, inst);
    }

    private static void install(String args, Instrumentation inst) {
        String spec = System.getProperty("java.specification.version", "?");
        int feature = featureVersion(spec);
        if (feature < MIN_JAVA) {
            // Detect mode too: its hooks are in JDK 21+ internals (DESIGN.md §1); nothing is checked here.
            boolean detect = args != null && args.replace(" ", "").contains("mode=detect");
            System.err.println("coio: this JVM is Java " + spec + " (" + System.getProperty("java.home")
                    + "); coio needs Java " + MIN_JAVA + " or newer" + (detect ? ", detect mode too (no blocking"
                    + " calls are checked)" : "") + ". Fix: run the app with a JDK >= " + MIN_JAVA
                    + ". The app runs without coio.");
            return;
        }
        try {
            Class.forName("io.coio.agent.internal.Installer")
                    .getMethod("install", String.class, Instrumentation.class)
                    .invoke(null, args, inst);
        } catch (InvocationTargetException e) {
            failed(e.getCause());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            failed(e);
        }
    }

    private static void failed(Throwable t) {
        System.err.println("coio: the agent could not start (" + t + "). The app runs without coio.");
    }

    /** "1.8" -> 8, "17" -> 17, "25" -> 25; -1 if unparsable. */
    static int featureVersion(String spec) {
        try {
            String s = spec.startsWith("1.") ? spec.substring(2) : spec;
            int dot = s.indexOf('.');
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
