package example.apps;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Does nothing that needs JMX or JFR, starts one thread (converted under the agent) that reads
 * {@code Thread.currentThread()}, and prints {@code SAME=<true|false>} (is it the app's own Thread object?). With
 * argument {@code jmx} it then asks for the platform MBean server itself, as an app or library would, and prints
 * {@code COIO_MBEANS=<n>}: how many {@code io.coio:*} MBeans are in it. No coio imports.
 */
public final class StartupWorkApp {
    public static void main(String[] args) throws Exception {
        Thread[] seen = new Thread[1];
        Thread t = new Thread(() -> seen[0] = Thread.currentThread());
        t.start();
        t.join();
        System.out.println("SAME=" + (seen[0] == t));
        if (args.length > 0 && args[0].equals("jmx")) {
            System.out.println("COIO_MBEANS=" + ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("io.coio:*"), null).size());
        }
    }
}
