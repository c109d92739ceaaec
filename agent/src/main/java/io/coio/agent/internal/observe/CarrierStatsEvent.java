package io.coio.agent.internal.observe;

import io.coio.agent.internal.CoioLog;
import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.ValueDescriptor;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The periodic JFR event {@code coio.CarrierStatistics} (category {@code coio}): every second while a recording
 * runs, one event per carrier with field {@code carrier} (its index) and one {@code long} field per
 * {@link StatsCounters} counter, named like the {@link CarrierStats} component. The event type is built with
 * {@link EventFactory} from the record's components, so a counter added to the record becomes a field without
 * further code. Enabled by default, period 1 s: {@code -XX:StartFlightRecording} records it; change it with
 * {@code jdk.jfr} settings ({@code coio.CarrierStatistics#period=10 s}).
 *
 * <p>The type is made and registered when JFR starts ({@link #registerWhenJfrStarts}), not at coio's start: building
 * and registering an event type initialises JFR, tens of milliseconds that an app which never records would pay for
 * nothing. No recording can run before JFR starts, so no event is lost.
 *
 * <p>Threads: JFR calls the periodic hook on its own thread; it only reads {@link CoioRuntime#stats()}. The listener
 * runs on the thread that starts JFR.
 */
final class CarrierStatsEvent {
    static final String NAME = "coio.CarrierStatistics";

    private final EventFactory factory;
    private final CoioRuntime runtime;

    private CarrierStatsEvent(CoioRuntime runtime) {
        this.runtime = runtime;
        List<AnnotationElement> type = List.of(
                new AnnotationElement(Name.class, NAME),
                new AnnotationElement(Label.class, "Carrier Statistics"),
                new AnnotationElement(Category.class, new String[] {"coio"}),
                new AnnotationElement(Description.class, "Counters of one coio carrier (io.coio.runtime.CarrierStats)"),
                new AnnotationElement(Period.class, "1 s"),
                new AnnotationElement(Enabled.class, true),
                new AnnotationElement(StackTrace.class, false));
        List<ValueDescriptor> fields = new ArrayList<>();
        fields.add(new ValueDescriptor(int.class, "carrier", List.of(new AnnotationElement(Label.class, "Carrier"),
                new AnnotationElement(Description.class, "The carrier's index (thread coio-carrier-<carrier>)"))));
        for (StatsCounters.Counter c : StatsCounters.ALL) {
            fields.add(new ValueDescriptor(long.class, c.name(), List.of(
                    new AnnotationElement(Label.class, c.attributeName()),
                    new AnnotationElement(Description.class, c.description()))));
        }
        factory = EventFactory.create(type, fields);
    }

    /**
     * Registers the event type and its periodic hook when JFR is initialised: at once if it already is, else from JFR's
     * own start. Returns the undo (the listener removed, and the hook if it was added).
     */
    static Runnable registerWhenJfrStarts(CoioRuntime runtime) {
        Runnable[] removeHook = {null};
        FlightRecorderListener listener = new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                try {
                    removeHook[0] = register(runtime);
                } catch (RuntimeException | Error e) { // never break the recording that is starting
                    CoioLog.line(Level.WARNING, "coio: could not register its JFR event " + NAME + " (" + e
                            + "); it is not recorded.");
                }
            }
        };
        FlightRecorder.addListener(listener);
        return new Runnable() { // not a lambda: runs at install (start-up time)
            @Override
            public void run() {
                FlightRecorder.removeListener(listener);
                if (removeHook[0] != null) {
                    removeHook[0].run();
                }
            }
        };
    }

    /** Registers the event type and its periodic hook with JFR; returns the hook's removal. */
    private static Runnable register(CoioRuntime runtime) {
        CarrierStatsEvent e = new CarrierStatsEvent(runtime);
        e.factory.register();
        Class<? extends Event> type = e.factory.newEvent().getClass();
        Runnable hook = e::emit;
        FlightRecorder.addPeriodicEvent(type, hook);
        return () -> FlightRecorder.removePeriodicEvent(hook);
    }

    private void emit() {
        for (CarrierStats s : runtime.stats()) {
            Event event = factory.newEvent();
            event.set(0, s.carrier());
            int i = 1;
            for (StatsCounters.Counter c : StatsCounters.ALL) {
                event.set(i++, c.read(s));
            }
            event.commit();
        }
    }
}
