package io.coio.agent.internal.observe;

import io.coio.runtime.CarrierStats;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The counters of {@link CarrierStats}, read from the record's components, so that the JMX view and the JFR event
 * show a counter another change adds to the record without further code. Every component except {@code carrier}
 * (the index, which names the MBean and is its own JFR field) is a counter; numeric components become
 * {@code long}s.
 *
 * <p>Immutable; any thread.
 */
final class StatsCounters {
    /** One counter: the record component's name, a description, and its accessor. */
    record Counter(String name, String description, Method accessor) {
        long read(CarrierStats s) {
            try {
                return ((Number) accessor.invoke(s)).longValue();
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read CarrierStats." + name, e);
            }
        }

        /** {@code epollWaits} -> {@code EpollWaits}: the JMX attribute name. */
        String attributeName() {
            return Character.toUpperCase(name.charAt(0)) + name.substring(1);
        }
    }

    /** Descriptions of the counters known when this was written; a newer one points to CarrierStats' Javadoc. */
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "started", "Coroutines placed on this carrier by coio",
            "live", "Coroutines placed on this carrier that have not finished",
            "parks", "Readiness waits (a coroutine parked until its fd was ready or timed out)",
            "wakeups", "Readiness waits ended by epoll reporting the fd ready",
            "epollWaits", "Times the carrier had nothing to run and blocked in epoll",
            "pinnedFallbacks", "Times a pinned coroutine blocked its OS thread and the carrier handed its loop to a fresh thread",
            "runQueue", "Coroutines ready to run and waiting for this carrier (at the moment of reading)");

    static final List<Counter> ALL = read();

    private StatsCounters() {
    }

    private static List<Counter> read() {
        List<Counter> out = new ArrayList<>();
        for (RecordComponent c : CarrierStats.class.getRecordComponents()) {
            Class<?> t = c.getType();
            if (c.getName().equals("carrier") || !(t == long.class || t == int.class || t == short.class)) {
                continue;
            }
            out.add(new Counter(c.getName(),
                    DESCRIPTIONS.getOrDefault(c.getName(), "See io.coio.runtime.CarrierStats#" + c.getName()),
                    c.getAccessor()));
        }
        return List.copyOf(out);
    }
}
