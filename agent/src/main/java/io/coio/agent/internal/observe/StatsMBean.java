package io.coio.agent.internal.observe;

import io.coio.runtime.CarrierStats;
import io.coio.runtime.CoioRuntime;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import javax.management.MalformedObjectNameException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A read-only MBean over {@link CoioRuntime#stats()}, with one {@code long} attribute per {@link StatsCounters}
 * counter (so it is also an MXBean as far as JMX clients see: only open types). Two shapes:
 * <ul>
 *   <li>{@code io.coio:type=Carrier,id=N}: attribute {@code Id} and carrier N's counters;
 *   <li>{@code io.coio:type=Runtime}: {@code Carriers}, {@code Transport}, and each counter summed over carriers.
 * </ul>
 * Every read takes a fresh snapshot (racy reads of the carriers' counters, see {@link CarrierStats}).
 *
 * <p>Immutable; JMX may call it from any thread.
 */
final class StatsMBean implements DynamicMBean {
    private final ObjectName name;
    private final MBeanInfo info;
    private final Map<String, Supplier<Object>> attributes;

    private StatsMBean(ObjectName name, String description, Map<String, Supplier<Object>> attributes,
                       Map<String, MBeanAttributeInfo> infos) {
        this.name = name;
        this.attributes = attributes;
        this.info = new MBeanInfo(StatsMBean.class.getName(), description,
                infos.values().toArray(new MBeanAttributeInfo[0]), null, new MBeanOperationInfo[0], null);
    }

    ObjectName name() {
        return name;
    }

    static StatsMBean carrier(CoioRuntime runtime, int id) throws MalformedObjectNameException {
        Map<String, Supplier<Object>> attrs = new LinkedHashMap<>();
        Map<String, MBeanAttributeInfo> infos = new LinkedHashMap<>();
        add(attrs, infos, "Id", "int", "The carrier's index (its OS thread is coio-carrier-<Id>)", () -> id);
        for (StatsCounters.Counter c : StatsCounters.ALL) {
            add(attrs, infos, c.attributeName(), "long", c.description(), () -> c.read(runtime.stats().get(id)));
        }
        return new StatsMBean(new ObjectName("io.coio:type=Carrier,id=" + id),
                "coio carrier " + id + ": an OS thread with its own epoll loop that runs coroutines", attrs, infos);
    }

    static StatsMBean runtime(CoioRuntime runtime) throws MalformedObjectNameException {
        Map<String, Supplier<Object>> attrs = new LinkedHashMap<>();
        Map<String, MBeanAttributeInfo> infos = new LinkedHashMap<>();
        add(attrs, infos, "Carriers", "int", "Number of carriers", runtime::carrierCount);
        add(attrs, infos, "Transport", "java.lang.String",
                "epoll (readiness from each carrier's epoll) or nio (readiness from the JDK's poller)", runtime::transport);
        for (StatsCounters.Counter c : StatsCounters.ALL) {
            add(attrs, infos, c.attributeName(), "long", c.description() + ", summed over all carriers", () -> {
                long sum = 0;
                for (CarrierStats s : runtime.stats()) {
                    sum += c.read(s);
                }
                return sum;
            });
        }
        return new StatsMBean(new ObjectName("io.coio:type=Runtime"), "coio runtime: all carriers", attrs, infos);
    }

    private static void add(Map<String, Supplier<Object>> attrs, Map<String, MBeanAttributeInfo> infos, String name,
                            String type, String description, Supplier<Object> value) {
        attrs.put(name, value);
        infos.put(name, new MBeanAttributeInfo(name, type, description, true, false, false));
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Supplier<Object> s = attributes.get(attribute);
        if (s == null) {
            throw new AttributeNotFoundException("no attribute " + attribute + " in " + name);
        }
        return s.get();
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        AttributeList list = new AttributeList();
        for (String n : names) {
            Supplier<Object> s = attributes.get(n);
            if (s != null) {
                list.add(new Attribute(n, s.get()));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("coio's counters are read-only: " + attribute.getName());
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("no operations on " + name);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }

    /** Attribute names, in order (for tests and documentation). */
    List<String> attributeNames() {
        return new ArrayList<>(attributes.keySet());
    }
}
