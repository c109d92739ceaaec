package io.coio.agent.internal.observe;

import io.coio.agent.internal.CoioLog;
import io.coio.runtime.CoioRuntime;

import javax.management.JMException;
import javax.management.MBeanServer;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Registers {@link StatsMBean}s for a runtime in the platform MBean server: {@code io.coio:type=Runtime} and one
 * {@code io.coio:type=Carrier,id=N} per carrier.
 *
 * <p>Lazily: creating the platform MBean server (the JDK's own platform MXBeans, the diagnostic-command MBean that
 * asks every {@code jcmd} command for its help) costs tens of milliseconds, which an app that nobody watches over JMX
 * would pay at start-up for coio's sake. So coio's MBeans go in when the server is created
 * ({@code ManagementFactory.getPlatformMBeanServer()}, whoever calls it first: the app, a library, the JMX agent
 * that {@code jconsole}/{@code jcmd ManagementAgent.start} starts), through the bridge hook {@code mbeanServerCreated}
 * that the agent's rewrite of that method calls; if the server already exists at install, now. Anyone who can see
 * the server sees coio's MBeans in it.
 *
 * <p>Threads: {@link #registerWhenCreated} on the installing thread; the late registration on whichever thread
 * creates the server (inside {@code getPlatformMBeanServer}, which holds the {@code ManagementFactory} class lock).
 */
final class StatsMBeans implements Consumer<Object> {
    private final CoioRuntime runtime;
    /** Guarded by this: the undo of the registration done, or null. */
    private Runnable unregister;

    private StatsMBeans(CoioRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Registers coio's MBeans in the platform MBean server now if it exists (a failure throws), else connects
     * {@code hook} so that they are registered when it is created (a failure then is said in one line). Returns the
     * undo: disconnect, and unregister what was registered.
     */
    static Runnable registerWhenCreated(CoioRuntime runtime, Consumer<Consumer<Object>> hook) throws Exception {
        StatsMBeans beans = new StatsMBeans(runtime);
        synchronized (ManagementFactory.class) { // getPlatformMBeanServer() is static synchronized: none is made meanwhile
            MBeanServer existing = platformServerIfCreated();
            if (existing != null) {
                beans.register(existing);
            } else {
                hook.accept(beans);
            }
        }
        return new Runnable() { // not a lambda: runs at install (start-up time)
            @Override
            public void run() {
                hook.accept(null);
                beans.unregister();
            }
        };
    }

    /** The bridge hook: the platform MBean server was just created. Never throws into the JDK. */
    @Override
    public void accept(Object server) {
        try {
            register((MBeanServer) server);
        } catch (JMException | RuntimeException e) {
            CoioLog.line(Level.WARNING, "coio: could not register its MBeans io.coio:* in the platform MBean server ("
                    + e + "); coio runs on without them.");
        }
    }

    /** The platform MBean server if {@code getPlatformMBeanServer()} has made it, else null. */
    private static MBeanServer platformServerIfCreated() throws ReflectiveOperationException {
        Field f = ManagementFactory.class.getDeclaredField("platformMBeanServer"); // opened to coio by the installer
        f.setAccessible(true);
        return (MBeanServer) f.get(null);
    }

    /** Registers all or none (on failure it unregisters what it did and throws). */
    private synchronized void register(MBeanServer server) throws JMException {
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
        unregister = undo;
    }

    private synchronized void unregister() {
        if (unregister != null) {
            unregister.run();
            unregister = null;
        }
    }
}
