package io.coio.agent.internal;

import io.coio.agent.internal.AgentOptions.BadOption;

import java.lang.instrument.Instrumentation;

/**
 * The agent's path on Java 17 to 24, called reflectively by {@code io.coio.agent.CoioAgent} after its version
 * check: detect mode installs ({@link DetectInstaller}); coroutine mode is refused in one line, because it is built
 * and proven on Java 25 only (its JDK hooks and {@code synchronized} without pinning, JEP 491, are JDK 24/25
 * matters), and the app runs untouched.
 *
 * <p>Compiled for Java 17 (agent/pom.xml). Not API. Threads: the installing thread only.
 */
public final class BelowJava25 {
    /** The Java version coroutine mode needs (also the entry class's, which cannot share this constant). */
    static final int COROUTINE_MIN_JAVA = 25;

    private BelowJava25() {
    }

    public static void install(String args, Instrumentation inst) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, Runtime.getRuntime().availableProcessors());
        } catch (BadOption e) {
            CoioLog.line(System.Logger.Level.ERROR, "coio: " + e.getMessage() + " The app runs without coio.");
            return;
        }
        switch (options.mode()) {
            case OFF -> { }
            case DETECT -> DetectInstaller.install(options, inst);
            case COROUTINE -> CoioLog.line(System.Logger.Level.ERROR, refusal(System.getProperty("java.specification.version"),
                    System.getProperty("java.home")));
        }
    }

    /** The one line for coroutine mode on a JDK older than 25. */
    static String refusal(String javaVersion, String javaHome) {
        return "coio: this JVM is Java " + javaVersion + " (" + javaHome + "); coio's coroutine mode needs Java "
                + COROUTINE_MIN_JAVA + " or newer. Fix: run the app with a JDK >= " + COROUTINE_MIN_JAVA
                + ", or use mode=detect. The app runs without coio.";
    }
}
