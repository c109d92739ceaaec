package io.coio.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * The agent's entry point ({@code Premain-Class}, {@code Agent-Class}, {@code Launcher-Agent-Class}).
 *
 * <p>Compiled for Java 8 on purpose: on a JVM older than coio supports it must still load, say so in
 * one line and leave the app untouched. Java versions: coroutine mode is built and proven on Java 25 and runs
 * there only ({@code io.coio.agent.internal.Installer}, compiled for 25); on Java 17 to 24 detect mode runs and
 * coroutine mode is refused in one line ({@code io.coio.agent.internal.BelowJava25}, compiled for 17, with
 * everything detect mode loads); below 17 nothing runs. The classes are only loaded after the version check.
 */
public final class CoioAgent {
    /** Coroutine mode's minimum (the JDK its hooks and tests are made for). */
    static final int MIN_JAVA = 25;
    /** Detect mode's minimum (what its classes are compiled for). */
    static final int MIN_JAVA_DETECT = 17;

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
        if (feature < MIN_JAVA_DETECT) {
            System.err.println("coio: this JVM is Java " + spec + " (" + System.getProperty("java.home")
                    + "); coio needs Java " + MIN_JAVA + " or newer (detect mode: Java " + MIN_JAVA_DETECT
                    + " or newer). Fix: run the app with a JDK >= " + MIN_JAVA + ". The app runs without coio.");
            return;
        }
        String entry = feature < MIN_JAVA ? "io.coio.agent.internal.BelowJava25" : "io.coio.agent.internal.Installer";
        try {
            Class.forName(entry)
                    .getMethod("install", String.class, Instrumentation.class)
                    .invoke(null, args, inst);
        } catch (InvocationTargetException e) {
            failed(e.getCause());
        } catch (Throwable e) { // whatever it is: premain must return, or the JVM aborts before the app's main()
            failed(e);
        }
    }

    private static void failed(Throwable t) {
        try {
            System.err.println("coio: the agent could not start (" + t + "). The app runs without coio.");
        } catch (Throwable unprintable) {
            // nothing more to do: the app still runs
        }
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
