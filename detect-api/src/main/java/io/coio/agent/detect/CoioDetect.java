package io.coio.agent.detect;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ObjLongConsumer;

/**
 * Blocking-call detection from app and test code: which threads must not block, which places may, and the
 * reports themselves. Works with the agent in detect mode ({@code -javaagent:coio-agent.jar=mode=detect}) and
 * with coroutine mode's reports (pinned coroutines); without the agent every method is a harmless no-op and
 * {@link #isActive()} says false.
 *
 * <pre>{@code
 * Thread loop = new Thread(this::runLoop, "my-loop");
 * CoioDetect.markNonBlocking(loop);                          // its blocking calls are reported
 * CoioDetect.allowBlockingCallsInside("com.example.Config", "load");  // except inside Config.load
 * }</pre>
 *
 * <p>Threads: every method may be called from any thread at any time, also before the agent has started.
 * The agent's detector is found through the system class loader, where {@code -javaagent} puts it, so this class
 * works from any class loader (a test framework's, a container's).
 */
public final class CoioDetect {
    private static final String DETECTOR = "io.coio.agent.internal.detect.Detector";
    private static volatile Link link;

    private CoioDetect() {
    }

    /** True if coio reports blocking calls in this JVM (detect mode, or coroutine mode's reports). */
    public static boolean isActive() {
        return activeMode() != null;
    }

    /**
     * {@code "detect"} (every blocking call on a non-blocking thread), {@code "coroutine"} (coroutines that pin
     * their carrier; with {@code report=all} also their file I/O and DNS lookups), or null if nothing is reported.
     */
    public static String activeMode() {
        Link l = link();
        if (l.activeMode == null) {
            return null;
        }
        try {
            return (String) l.activeMode.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Why {@link #isActive()} is false, in one sentence with the fix; null if it is true. */
    public static String whyInactive() {
        Link l = link();
        if (l.unavailable != null) {
            return l.unavailable;
        }
        if (isActive()) {
            return null;
        }
        String mode = System.getProperty("coio.mode");
        if (mode == null) {
            return "the coio agent is not running in this JVM (not loaded, or its installation failed: see the"
                    + " 'coio:' lines on stderr); start the JVM with -javaagent:/path/to/coio-agent.jar=mode=detect";
        }
        return "the coio agent runs in " + mode + " mode with reports off; use mode=detect (or report=pinned)";
    }

    /** Calls that would block, made on {@code thread} from now on, are reported (as if its name matched). */
    public static void markNonBlocking(Thread thread) {
        mark(thread, Boolean.TRUE);
    }

    /** {@link #markNonBlocking(Thread)} for the current thread. */
    public static void markNonBlocking() {
        mark(Thread.currentThread(), Boolean.TRUE);
    }

    /** {@code thread} may block, even if its name matches {@code nonblocking=} (or it is a coroutine). */
    public static void markBlocking(Thread thread) {
        mark(thread, Boolean.FALSE);
    }

    /** Forgets a mark: {@code thread} is judged by its name (and, in coroutine mode, by being a coroutine). */
    public static void clearMark(Thread thread) {
        mark(thread, null);
    }

    private static void mark(Thread thread, Boolean nonBlocking) {
        if (thread == null) {
            throw new NullPointerException("thread");
        }
        Link l = link();
        if (l.mark != null) {
            try {
                l.mark.invokeExact(thread, nonBlocking);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /**
     * Blocking calls made while {@code className.methodName} is on the stack (any frame) are not reported, like
     * BlockHound's {@code allowBlockingCallsInside}. Same as the agent option
     * {@code allow=className#methodName}.
     *
     * @param className  binary name, e.g. {@code com.example.Outer$Inner}
     * @param methodName a method name, {@code <clinit>}, or {@code *} for every method of the class
     */
    public static void allowBlockingCallsInside(String className, String methodName) {
        Link l = link();
        if (l.allow != null) {
            try {
                l.allow.invokeExact(className, methodName);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /**
     * Starts collecting every report from now on (all call sites, also the repeated ones that stderr only
     * counts), until {@link Capture#close()}. Without active detection the capture stays empty.
     */
    public static Capture startCapture() {
        Capture c = new Capture();
        Link l = link();
        if (l.addListener != null) {
            try {
                l.addListener.invokeExact(c.listener);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
        return c;
    }

    /** Reports collected since {@link #startCapture()}; thread-safe. */
    public static final class Capture implements AutoCloseable {
        private final ConcurrentLinkedQueue<Report> reports = new ConcurrentLinkedQueue<>();
        final ObjLongConsumer<String> listener = (text, sequence) -> reports.add(new Report(sequence, text));

        private Capture() {
        }

        /** Takes the reports collected so far, oldest first. */
        public List<Report> drain() {
            List<Report> r = new ArrayList<>();
            Report x;
            while ((x = reports.poll()) != null) {
                r.add(x);
            }
            return r;
        }

        /** Stops collecting (the reports collected stay available to {@link #drain()}). */
        @Override
        public void close() {
            Link l = link();
            if (l.removeListener != null) {
                try {
                    l.removeListener.invokeExact(listener);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
            }
        }
    }

    /** One reported blocking call: the report text ({@code coio: blocking call ...} plus stack). */
    public static final class Report {
        private final long sequence;
        private final String text;

        Report(long sequence, String text) {
            this.sequence = sequence;
            this.text = text;
        }

        /** Increases with every reported call in this JVM; the same call has the same number in every capture. */
        public long sequence() {
            return sequence;
        }

        /** The first line is {@code coio: blocking call <method> on thread <name>}, then one {@code at} line per frame. */
        public String text() {
            return text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    // ------------------------------------------------------------------------------ the agent's side

    /** Handles on the agent's detector, or the reason there is none. */
    private static final class Link {
        final MethodHandle activeMode;
        final MethodHandle mark;
        final MethodHandle allow;
        final MethodHandle addListener;
        final MethodHandle removeListener;
        final String unavailable;

        Link(Class<?> d) throws ReflectiveOperationException {
            MethodHandles.Lookup p = MethodHandles.publicLookup();
            activeMode = p.findStatic(d, "activeMode", MethodType.methodType(String.class));
            mark = p.findStatic(d, "mark", MethodType.methodType(void.class, Thread.class, Boolean.class));
            allow = p.findStatic(d, "allow", MethodType.methodType(void.class, String.class, String.class));
            addListener = p.findStatic(d, "addListener", MethodType.methodType(void.class, ObjLongConsumer.class));
            removeListener = p.findStatic(d, "removeListener", MethodType.methodType(void.class, ObjLongConsumer.class));
            unavailable = null;
        }

        Link(String unavailable) {
            activeMode = mark = allow = addListener = removeListener = null;
            this.unavailable = unavailable;
        }
    }

    private static Link link() {
        Link l = link;
        if (l == null) {
            l = connect();
            link = l;
        }
        return l;
    }

    private static Link connect() {
        try {
            return new Link(Class.forName(DETECTOR, true, ClassLoader.getSystemClassLoader()));
        } catch (ClassNotFoundException e) {
            return new Link("the coio agent is not loaded in this JVM; start it with"
                    + " -javaagent:/path/to/coio-agent.jar=mode=detect");
        } catch (UnsupportedClassVersionError e) {
            return new Link("this JVM is Java " + System.getProperty("java.specification.version")
                    + "; coio's detect mode needs Java 17 or newer");
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new Link("cannot reach coio's detector (" + e + ")");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IllegalStateException(t);
    }
}
