package io.coio.agent.internal.observe;

import io.coio.runtime.CoioRuntime;

import javax.management.JMException;
import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers {@link StatsMBean}s for a runtime in the platform MBean server: {@code io.coio:type=Runtime} and one
 * {@code io.coio:type=Carrier,id=N} per carrier. Threads: the installing thread.
 */
final class StatsMBeans {
    private StatsMBeans() {
    }

    /** Registers all or none (on failure it unregisters what it did and throws); returns the undo. */
    static Runnable register(CoioRuntime runtime) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<StatsMBean> done = new ArrayList<>();
        Runnable undo = () -> {
            for (StatsMBean b : done) {
                try {
                    server.unregisterMBean(b.name());
                } catch (JMException | RuntimeException ignored) {
                    // already gone: nothing to undo
                }
            }
        };
        try {
            List<StatsMBean> beans = new ArrayList<>();
            beans.add(StatsMBean.runtime(runtime));
            for (int i = 0; i < runtime.carrierCount(); i++) {
                beans.add(StatsMBean.carrier(runtime, i));
            }
            for (StatsMBean b : beans) {
                server.registerMBean(b, b.name());
                done.add(b);
            }
        } catch (JMException | RuntimeException e) {
            undo.run();
            throw e;
        }
        return undo;
    }
}
