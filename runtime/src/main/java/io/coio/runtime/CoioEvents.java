package io.coio.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR events of the carriers, in category {@code coio}: {@code coio.HandOff} (a carrier moved its loop to another
 * OS thread because the watchdog found it blocked) and {@code coio.LongRun} (a coroutine ran too long without
 * yielding). The stack is the coroutine's, as text (the event is committed by the watchdog thread, so JFR's own
 * stack would be the watchdog's). If the JVM has no {@code jdk.jfr} module, nothing is recorded.
 *
 * <p>The event types are registered with JFR when JFR itself starts ({@link #registerWhenJfrStarts}), not at coio's
 * start: registering an event type initialises JFR's metadata, tens of milliseconds of start-up that an app which
 * never records would pay for nothing. Before JFR starts no recording can exist, so no event is lost; until then
 * the hand-off path does not touch a {@code jdk.jfr} class (it runs inside file reads, where initialising JFR could
 * re-enter them).
 *
 * <p>Threads: any.
 */
final class CoioEvents {
    private static final boolean AVAILABLE = available();
    /** Set once JFR has started and coio's event types are registered (by the thread that started JFR). */
    private static volatile boolean registered;

    private CoioEvents() {
    }

    /**
     * Registers coio's event types as soon as JFR is initialised: at once if it already is, else from JFR's own
     * start (a recording started by {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or the app).
     */
    static void registerWhenJfrStarts() {
        if (AVAILABLE) {
            Jfr.registerWhenJfrStarts();
        }
    }

    /** Undoes {@link #registerWhenJfrStarts} if JFR has not started yet (a runtime stopped after a failed install). */
    static void stopListening() {
        if (AVAILABLE) {
            Jfr.stopListening();
        }
    }

    static void handOff(int carrier, String cause, String coroutine, StackTraceElement[] stack) {
        if (registered) {
            Jfr.handOff(carrier, cause, coroutine, stack);
        }
    }

    /** True if a {@code coio.HandOff} event would be recorded now (so its stack is worth taking). */
    static boolean handOffRecorded() {
        return AVAILABLE && Jfr.handOffEnabled();
    }

    /** A hand-off asked for by the running coroutine itself: its own stack, taken only if the event is enabled. */
    static void handOffHere(int carrier, String cause) {
        if (registered) {
            Jfr.handOffHere(carrier, cause);
        }
    }

    static void longRun(int carrier, String coroutine, long millis, StackTraceElement[] stack) {
        if (registered) {
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

    /** Touches jdk.jfr types only when {@link #AVAILABLE}; the event types only once {@link #registered}. */
    private static final class Jfr {
        private static FlightRecorderListener listener;

        static synchronized void registerWhenJfrStarts() {
            listener = new FlightRecorderListener() {
                @Override
                public void recorderInitialized(FlightRecorder recorder) {
                    try {
                        FlightRecorder.register(HandOffEvent.class);
                        FlightRecorder.register(LongRunEvent.class);
                        registered = true;
                    } catch (RuntimeException | Error e) { // never break the recording that is starting
                        System.err.println("coio: could not register its JFR events coio.HandOff and coio.LongRun ("
                                + e + "); they are not recorded.");
                    }
                }
            };
            FlightRecorder.addListener(listener);
        }

        static synchronized void stopListening() {
            if (listener != null) {
                FlightRecorder.removeListener(listener);
                listener = null;
            }
        }

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
