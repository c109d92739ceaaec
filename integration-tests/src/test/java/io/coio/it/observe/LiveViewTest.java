package io.coio.it.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import example.apps.ObservedApp;
import io.coio.it.harness.AgentJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The live view, read from another JVM as jconsole would: the test attaches to the app (attach API), starts its
 * local JMX agent and reads the MBeans {@code io.coio:type=Runtime} and {@code io.coio:type=Carrier,id=N}.
 */
class LiveViewTest {
    static final int CLIENTS = 20;
    static final int ROUNDS = 10;
    static final List<String> COUNTERS = List.of("Started", "Live", "Parks", "Wakeups", "EpollWaits",
            "PinnedFallbacks", "RunQueue");

    @Test
    @DisplayName("coroutine mode, carriers=2: another JVM reads io.coio:type=Runtime (2 carriers, epoll, parks and started counted) and io.coio:type=Carrier,id=0|1, whose counters add up to at least the runtime's read before")
    void mbeansReadOverJmxFromAnotherJvm() throws Exception {
        AgentJvm app = AgentJvm.builder(ObservedApp.class).agent("carriers=2").args("idle", CLIENTS, ROUNDS).start();
        try (app) {
            app.awaitStdout("^WORKED$");
            try (JMXConnector jmx = connect(app.pid())) {
                MBeanServerConnection c = jmx.getMBeanServerConnection();
                ObjectName runtime = new ObjectName("io.coio:type=Runtime");
                assertEquals(Set.of(runtime, new ObjectName("io.coio:type=Carrier,id=0"),
                        new ObjectName("io.coio:type=Carrier,id=1")), c.queryNames(new ObjectName("io.coio:*"), null));
                assertEquals(2, c.getAttribute(runtime, "Carriers"));
                assertEquals("epoll", c.getAttribute(runtime, "Transport"));
                List<String> names = new ArrayList<>();
                for (MBeanAttributeInfo a : c.getMBeanInfo(runtime).getAttributes()) {
                    names.add(a.getName());
                    assertTrue(!a.isWritable() && !a.getDescription().isBlank(), a.toString());
                }
                assertTrue(names.containsAll(COUNTERS), names.toString());
                // every connection thread and every client thread was a coroutine, and each waited for its socket
                long started = (Long) c.getAttribute(runtime, "Started");
                long parks = (Long) c.getAttribute(runtime, "Parks");
                assertTrue(started >= 2L * CLIENTS + 1, "Started=" + started);
                assertTrue(parks >= CLIENTS, "Parks=" + parks);
                long sumStarted = 0;
                long sumParks = 0;
                for (int id = 0; id < 2; id++) {
                    ObjectName carrier = new ObjectName("io.coio:type=Carrier,id=" + id);
                    assertEquals(id, c.getAttribute(carrier, "Id"));
                    sumStarted += (Long) c.getAttribute(carrier, "Started");
                    sumParks += (Long) c.getAttribute(carrier, "Parks");
                    long live = (Long) c.getAttribute(carrier, "Live");
                    assertTrue(live >= 0 && live <= (Long) c.getAttribute(carrier, "Started"), "Live=" + live);
                }
                // Counters only grow, and the runtime's were read first.
                assertTrue(started <= sumStarted, started + " > " + sumStarted);
                assertTrue(parks <= sumParks, parks + " > " + sumParks);
            }
        }
    }

    @Test
    @DisplayName("mode=off: the same app registers no io.coio MBeans")
    void modeOffRegistersNothing() throws Exception {
        AgentJvm app = AgentJvm.builder(ObservedApp.class).agent("mode=off").args("idle", 2, 2).start();
        try (app) {
            app.awaitStdout("^WORKED$");
            try (JMXConnector jmx = connect(app.pid())) {
                MBeanServerConnection c = jmx.getMBeanServerConnection();
                assertEquals(Set.of(), c.queryNames(new ObjectName("io.coio:*"), null));
                assertTrue(c.isRegistered(new ObjectName("java.lang:type=Runtime")), "the JMX connection works");
            }
        }
    }

    @Test
    @DisplayName("a Java runtime without java.management and jdk.jfr (--limit-modules): coroutine mode installs, and one line says which views are left out")
    void runtimeWithoutManagementModules() {
        AgentJvm app = AgentJvm.builder(example.apps.HelloApp.class).agent("carriers=1")
                .jvmArg("--limit-modules").jvmArg("java.base,java.instrument,jdk.unsupported,java.logging").start();
        try (app) {
            assertEquals(3, app.awaitExit(java.time.Duration.ofSeconds(60)), app.describeState());
        }
        assertEquals(List.of("coio: not in this Java runtime: module java.management (no coio MBeans), module jdk.jfr"
                + " (no coio.CarrierStatistics event)."), app.stderrMatching("^coio: not in"), app.describeState());
        assertEquals(1, app.stderrMatching("^coio: coroutine mode, 1 carrier").size(), app.describeState());
        assertEquals(1, app.stdoutMatching("^worker virtual=true$").size(), app.describeState());
    }

    /** Attaches to {@code pid}, starts its local JMX agent (as jconsole does) and connects. */
    static JMXConnector connect(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return JMXConnectorFactory.connect(new JMXServiceURL(address));
    }
}
