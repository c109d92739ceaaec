package io.coio.agent.internal;

import io.coio.agent.internal.bridge.CoioHooks;

import java.util.function.Consumer;

/**
 * The bridge's {@code observer} group: the platform MBean server was created, coio's MBeans go in
 * ({@code observe.StatsMBeans}). Compiled against the bridge's template and defined at install as
 * {@code ObserverHooksLinked} ({@link JdkBridge#linkedHooks}): never instantiate this class itself.
 *
 * <p>Threads: immutable; called by whichever thread creates the platform MBean server.
 */
public final class ObserverHooks extends CoioHooks {
    private final Consumer<Object> serverCreated;

    public ObserverHooks(Consumer<Object> serverCreated) {
        this.serverCreated = serverCreated;
    }

    @Override
    public void mbeanServerCreated(Object server) {
        serverCreated.accept(server);
    }
}
