package io.coio.agent.internal.observe;

import io.coio.runtime.CoioRuntime;

import javax.management.JMException;
import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * coio's live view, installed by the agent in coroutine mode: the MBeans {@code io.coio:type=Runtime} and
 * {@code io.coio:type=Carrier,id=N} in the platform MBean server (jconsole, JMX clients, {@code jcmd}'s
 * management agent), and the periodic JFR event {@code coio.CarrierStatistics}. Both are read-only views of
 * {@link CoioRuntime#stats()}, generated from the {@code CarrierStats} record's components.
 *
 * <p>Threads: {@link #install} and {@link #uninstall} run on the installing thread.
 */
public final class Observability {
    private final MBeanServer server;
    private final List<StatsMBean> beans = new ArrayList<>();
    private CarrierStatsEvent event;

    private Observability(MBeanServer server) {
        this.server = server;
    }

    /** Registers the MBeans and the JFR event for {@code runtime}; on failure, undoes what it did and throws. */
    public static Observability install(CoioRuntime runtime) throws JMException {
        Observability o = new Observability(ManagementFactory.getPlatformMBeanServer());
        try {
            o.register(StatsMBean.runtime(runtime));
            for (int i = 0; i < runtime.carrierCount(); i++) {
                o.register(StatsMBean.carrier(runtime, i));
            }
            o.event = CarrierStatsEvent.register(runtime);
        } catch (JMException | RuntimeException e) {
            o.uninstall();
            throw e;
        }
        return o;
    }

    private void register(StatsMBean bean) throws JMException {
        server.registerMBean(bean, bean.name());
        beans.add(bean);
    }

    /** Removes everything {@link #install} registered (best effort). */
    public void uninstall() {
        for (StatsMBean b : beans) {
            try {
                server.unregisterMBean(b.name());
            } catch (JMException | RuntimeException ignored) {
                // already gone: nothing to undo
            }
        }
        beans.clear();
        if (event != null) {
            event.unregister();
            event = null;
        }
    }
}
