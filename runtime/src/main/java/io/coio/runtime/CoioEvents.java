package io.coio.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR events of the carriers, in category {@code coio}: {@code coio.HandOff} (a carrier moved its loop to another
 * OS thread because the watchdog found it blocked) and {@code coio.LongRun} (a coroutine ran too long without
 * yielding). The stack is the coroutine's, as text (the event is committed by the watchdog thread, so JFR's own
 * stack would be the watchdog's). If the JVM has no {@code jdk.jfr} module, nothing is recorded.
 *
 * <p>Threads: any.
 */
final class CoioEvents {
    private static final boolean AVAILABLE = available();

    private CoioEvents() {
    }

    static void handOff(int carrier, String cause, String coroutine, StackTraceElement[] stack) {
        if (AVAILABLE) {
            Jfr.handOff(carrier, cause, coroutine, stack);
        }
    }

    /** True if a {@code coio.HandOff} event would be recorded now (so its stack is worth taking). */
    static boolean handOffRecorded() {
        return AVAILABLE && Jfr.handOffEnabled();
    }

    /** A hand-off asked for by the running coroutine itself: its own stack, taken only if the event is enabled. */
    static void handOffHere(int carrier, String cause) {
        if (AVAILABLE) {
            Jfr.handOffHere(carrier, cause);
        }
    }

    static void longRun(int carrier, String coroutine, long millis, StackTraceElement[] stack) {
        if (AVAILABLE) {
            Jfr.longRun(carrier, coroutine, millis, stack);
        }
    }

    private static boolean available() {
        try {
            return Class.forName("jdk.jfr.Event", false, CoioEvents.class.getClassLoader()) != null;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static String text(StackTraceElement[] stack) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : stack) {
            b.append(e).append('\n');
        }
        return b.toString();
    }

    /** Touches jdk.jfr types only when {@link #AVAILABLE}. */
    private static final class Jfr {
        static void handOff(int carrier, String cause, String coroutine, StackTraceElement[] stack) {
            HandOffEvent e = new HandOffEvent();
            if (e.shouldCommit()) {
                e.carrier = carrier;
                e.cause = cause;
                e.coroutine = coroutine;
                e.stack = text(stack);
                e.commit();
            }
        }

        static boolean handOffEnabled() {
            return new HandOffEvent().isEnabled();
        }

        static void handOffHere(int carrier, String cause) {
            HandOffEvent e = new HandOffEvent();
            if (e.shouldCommit()) {
                Thread t = Thread.currentThread();
                e.carrier = carrier;
                e.cause = cause;
                e.coroutine = "coroutine \"" + t.getName() + "\" (#" + t.threadId() + ")";
                e.stack = text(t.getStackTrace());
                e.commit();
            }
        }

        static void longRun(int carrier, String coroutine, long millis, StackTraceElement[] stack) {
            LongRunEvent e = new LongRunEvent();
            if (e.shouldCommit()) {
                e.carrier = carrier;
                e.coroutine = coroutine;
                e.millis = millis;
                e.stack = text(stack);
                e.commit();
            }
        }
    }

    @Name("coio.HandOff")
    @Label("Carrier Hand-off")
    @Category("coio")
    @Description("A carrier moved its event loop to another OS thread because its coroutine blocked the OS thread")
    @StackTrace(false)
    static final class HandOffEvent extends Event {
        @Label("Carrier")
        int carrier;
        @Label("Cause")
        String cause;
        @Label("Coroutine")
        String coroutine;
        @Label("Coroutine Stack")
        String stack;
    }

    @Name("coio.LongRun")
    @Label("Long Coroutine Run")
    @Category("coio")
    @Description("A coroutine ran longer than the threshold without yielding its carrier")
    @StackTrace(false)
    static final class LongRunEvent extends Event {
        @Label("Carrier")
        int carrier;
        @Label("Coroutine")
        String coroutine;
        @Label("Milliseconds")
        long millis;
        @Label("Coroutine Stack")
        String stack;
    }
}
