package example.apps;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Starts threads of kinds that must not be converted, plus ordinary ones for contrast, and prints
 * {@code CHECK <which> virtual=<b> coio=<b>} from inside each. No coio imports (Netty's real
 * FastThreadLocalThread is on the classpath). Ends with {@code DONE}.
 */
public final class StaysPlatformApp {
    /** An app-defined Thread subclass, for exclusion by class name. */
    static final class LegacyPollerThread extends Thread {
        LegacyPollerThread(Runnable r) {
            super(r, "legacy-poller");
        }
    }

    public static void main(String[] args) throws Exception {
        report("plain", r -> new Thread(r));
        report("named.worker-1", r -> new Thread(r, "worker-1"));
        report("named.other-1", r -> new Thread(r, "other-1"));
        report("named.conn-1", r -> new Thread(r, "conn-1"));
        report("fastThreadLocalThread", r -> new FastThreadLocalThread(r));
        report("nettyDefaultThreadFactory", r -> new DefaultThreadFactory("netty-pool").newThread(r));
        report("subclass.LegacyPollerThread", LegacyPollerThread::new);
        report("alreadyVirtual", r -> Thread.ofVirtual().unstarted(r));
        System.out.println("DONE");
    }

    /** Creates a thread with {@code factory}, starts it, and prints what kind of thread ran its code. */
    private static void report(String which, Function<Runnable, Thread> factory) throws InterruptedException {
        AtomicReference<String> kind = new AtomicReference<>("did not run");
        Thread t = factory.apply(() -> {
            Thread me = JvmThread.current();
            kind.set("virtual=" + me.isVirtual() + " coio=" + me.toString().contains("@coio-carrier-"));
        });
        t.start();
        t.join(10_000);
        System.out.println("CHECK " + which + " " + kind.get());
    }
}
