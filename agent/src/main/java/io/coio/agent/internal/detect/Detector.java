package io.coio.agent.internal.detect;

import io.coio.agent.internal.detect.BlockingCalls.Call;
import io.coio.agent.internal.detect.BlockingCalls.Kind;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.StackWalker.StackFrame;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Decides whether a watched JDK call (see {@link BlockingCalls}) is a blocking call on a thread that must not
 * block — the thread's marks and name, the call's arguments, its stack ({@link StackScan}) — and has it reported
 * ({@link CallSiteReports}: stderr per call site, a summary at exit, JFR, the registered listeners such as the
 * JUnit extension, and with {@code onblock=throw} a {@code BlockingCallError} at the call).
 *
 * <p>Two sources feed it. The bridge's {@code blocking} prologue calls {@link #isNonBlocking} (once per thread,
 * cached there) and {@link #blockingCall}; coroutine mode routes the runtime's pinned-park hook through
 * {@link #reportPinned}. Both run on the thread that blocks, possibly inside JDK locks: nothing here waits
 * for another thread, and the bridge turns off the watched calls this code makes itself while it runs.
 *
 * <p>Threads: every method may run on any thread at once. The static marks, allow list and listeners may be
 * changed by the API ({@code io.coio.agent.detect.CoioDetect}) before, during and without an installation.
 *
 * <p>Not API: public because the bridge binds to it by method handle and the API finds it by name. The static
 * methods the API calls take and return JDK types only, so the API works from any class loader.
 */
public final class Detector {
    /** coio's own carriers: non-blocking in every mode. */
    private static final Pattern CARRIER_NAME = Pattern.compile("coio-carrier-\\d+");
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /**
     * The app's own Netty package, built at run time: the agent jar's shade plugin relocates every string constant
     * that starts with Netty's package name (coio's own Netty is relocated), and the app's Netty is not coio's.
     */
    private static final String APP_NETTY = String.join(".", "io", "netty");

    /**
     * Allowed by default: places whose blocking is not a bug of the code running on the thread. Class loading
     * reads class files; a pool worker or Netty loop waiting for its next task is idle, not blocked. (Also
     * allowed, by rule: a JDK class's static initializer, console output; see {@link StackScan}, {@link BlockingCalls}.)
     */
    public static final List<String> DEFAULT_ALLOWED = List.of(
            "java.lang.ClassLoader#loadClass",
            "java.util.concurrent.ThreadPoolExecutor#getTask",
            APP_NETTY + ".channel.nio.NioEventLoop#select",
            APP_NETTY + ".channel.nio.NioIoHandler#select",
            APP_NETTY + ".util.concurrent.SingleThreadEventExecutor#takeTask",
            APP_NETTY + ".util.concurrent.SingleThreadEventExecutor#confirmShutdown",
            APP_NETTY + ".util.concurrent.GlobalEventExecutor#takeTask");

    // ---- state shared with the API; valid with or without an installed detector ----
    /** Threads marked through the API: TRUE non-blocking, FALSE may block (overrides the name rule). */
    private static final Map<Thread, Boolean> MARKS = Collections.synchronizedMap(new WeakHashMap<>());
    /** class name -> method names ("*" for all) inside which blocking calls are allowed. */
    private static final ConcurrentHashMap<String, Set<String>> ALLOWED = new ConcurrentHashMap<>();
    static final CopyOnWriteArrayList<ObjLongConsumer<String>> LISTENERS = new CopyOnWriteArrayList<>();
    static final AtomicLong SEQUENCE = new AtomicLong();
    private static volatile Detector current;
    /** No bridge yet. A class, not a lambda: each lambda is a class spun at first use (start-up time). */
    private static final Runnable NOTHING_TO_BUMP = new Runnable() {
        @Override
        public void run() {
        }
    };
    /** Makes the bridge's cached per-thread answers stale (set by the installer). */
    private static volatile Runnable epochBump = NOTHING_TO_BUMP;
    /** Per thread: inside a pinned report (the bridge's busy flag does this for the watched calls). */
    private static final ThreadLocal<Boolean> IN_PINNED_REPORT = new ThreadLocal<>();

    /** Which of the two modes this detector serves. */
    public enum Mode { DETECT, COROUTINE }

    private final Mode mode;
    private final Pattern nonBlockingNames;
    private final boolean throwOnBlock;
    private final boolean reportPinned;
    private final Set<Kind> kinds;
    /** Coroutine mode: is this thread one of coio's coroutines? (Given by the installer: this class does not use
     *  the runtime, so that it loads on Java 17, where detect mode runs.) Null in detect mode. */
    private final Predicate<Thread> coroutines;
    /** "class#name+desc" of watched methods that always block: a watched call inside one is not reported again. */
    private final Set<String> outerCalls = new HashSet<>();
    private final CallSiteReports reports;
    private volatile Thread selfCheckThread;
    private volatile boolean selfCheckSeen;

    private Detector(Mode mode, Pattern nonBlockingNames, boolean throwOnBlock, boolean reportPinned,
                     Set<Kind> kinds, Predicate<Thread> coroutines) {
        this.mode = mode;
        this.coroutines = coroutines;
        this.nonBlockingNames = nonBlockingNames;
        this.throwOnBlock = throwOnBlock;
        this.reportPinned = reportPinned;
        this.kinds = Set.copyOf(kinds);
        this.reports = new CallSiteReports(mode, throwOnBlock);
        for (Call c : watchedCalls()) {
            if (c.when() == BlockingCalls.When.ALWAYS) {
                outerCalls.add(c.className() + "#" + c.name() + c.desc());
            }
        }
    }

    // ------------------------------------------------------------------------------------ installation

    /** Detect mode: every kind of blocking call on threads named by {@code nonBlockingNames}, carriers, marks. */
    public static Detector startDetect(Pattern nonBlockingNames, List<String> allow, boolean throwOnBlock,
                                       Runnable epochBump) {
        return start(new Detector(Mode.DETECT, nonBlockingNames, throwOnBlock, false, BlockingCalls.allKinds(), null),
                allow, epochBump);
    }

    /**
     * Coroutine mode: coroutines that pin their carrier ({@code pinned}), and with {@code carrierBlocking} the
     * file I/O and DNS lookups made on coroutines (which cannot yield and so block the carrier).
     * {@code isCoroutine} says which threads are coio's coroutines (the runtime's {@code CoioRuntime::isCoroutine}).
     */
    public static Detector startCoroutineReports(boolean pinned, boolean carrierBlocking, List<String> allow,
                                                 Runnable epochBump, Predicate<Thread> isCoroutine) {
        Set<Kind> kinds = carrierBlocking ? BlockingCalls.carrierBlockingKinds() : Set.of();
        return start(new Detector(Mode.COROUTINE, null, false, pinned, kinds, isCoroutine), allow, epochBump);
    }

    private static synchronized Detector start(Detector d, List<String> allow, Runnable bump) {
        for (String e : DEFAULT_ALLOWED) {
            addAllowed(e);
        }
        for (String e : allow) {
            addAllowed(e);
        }
        epochBump = bump;
        current = d;
        return d;
    }

    /** Undoes {@link #startDetect}/{@link #startCoroutineReports} (installation failed). */
    public static synchronized void stop() {
        current = null;
        epochBump = NOTHING_TO_BUMP;
    }

    /** The watched methods whose prologues this detector needs. */
    public List<Call> watchedCalls() {
        return BlockingCalls.ofKinds(kinds);
    }

    /** For the start-up line: which threads must not block. */
    public String describeNonBlocking() {
        String names = nonBlockingNames == null ? "" : "names matching '" + nonBlockingNames.pattern() + "', ";
        return names + "coio-carrier-N, and threads marked with io.coio.agent.detect.CoioDetect.markNonBlocking";
    }

    /**
     * The install-time proof that the watched prologues reach this detector (BlockHound's
     * {@code testInstrumentation()}): the installing thread, marked non-blocking for the moment, parks for a
     * nanosecond; the call must arrive here (it is recorded as the self-check, never reported).
     */
    public void selfCheck() {
        Thread me = Thread.currentThread();
        Boolean before = MARKS.get(me);
        selfCheckThread = me;
        try {
            MARKS.put(me, Boolean.TRUE);
            epochBump.run();
            java.util.concurrent.locks.LockSupport.parkNanos(1);
        } finally {
            selfCheckThread = null;
            if (before == null) {
                MARKS.remove(me);
            } else {
                MARKS.put(me, before);
            }
            epochBump.run();
        }
        if (!selfCheckSeen) {
            throw new IllegalStateException("self-check: a blocking call on a non-blocking thread did not reach coio's"
                    + " detector (LockSupport.parkNanos was not rewritten; is another agent rewriting it?)");
        }
    }

    /**
     * Prints the per-call-site counts at exit: if anything was reported, or in detect mode unless {@code quiet}
     * (then a line saying there was nothing).
     */
    public void printSummaryAtExit(boolean quiet) {
        Thread hook = new Thread(new Runnable() { // not a lambda: registered at start-up
            @Override
            public void run() {
                reports.printSummary(quiet);
            }
        }, "coio-detect-summary");
        MARKS.put(hook, Boolean.FALSE);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    // ------------------------------------------------------------------------------- the bridge's calls

    /** Must {@code t} not block? The bridge caches the answer per thread until its name or the marks change. */
    public boolean isNonBlocking(Thread t) {
        Boolean marked = MARKS.get(t);
        if (marked != null) {
            return marked;
        }
        if (mode == Mode.COROUTINE) {
            return coroutines.test(t);
        }
        String name = t.getName();
        return CARRIER_NAME.matcher(name).matches()
                || (nonBlockingNames != null && nonBlockingNames.matcher(name).matches());
    }

    /**
     * A watched method was called on a non-blocking thread. Reports it if it really blocks and no allowed
     * method is on the stack; with {@code onblock=throw}, then throws {@code BlockingCallError}.
     */
    public void blockingCall(int id, Object self, long arg) {
        Call call = BlockingCalls.ALL.get(id);
        if (!kinds.contains(call.kind()) || !reallyBlocks(call, self, arg)) {
            return;
        }
        Thread t = Thread.currentThread();
        if (t == selfCheckThread) {
            selfCheckSeen = true;
            return;
        }
        CallSiteReports.Report e;
        try {
            StackScan w = scan(call.kind());
            if (w.frames.isEmpty() || w.allowed || w.insideOuterCall || w.consoleLock) {
                return;
            }
            e = reports.record(call.display(), false, t, w, 0);
        } catch (RuntimeException | LinkageError x) {
            reports.internalError(x);
            return;
        }
        if (throwOnBlock) {
            throw reports.blockingCallError(e);
        }
    }

    /**
     * Coroutine mode's pinned-park report: the installer chains it after the runtime's pinned-park hook (which
     * hands the carrier's loop on first) on the bridge's {@code pinnedPark}. Reports the pinned coroutine. Never throws.
     */
    public static void reportPinned(Thread vthread) {
        Detector d = current;
        if (d == null || !d.reportPinned || d.coroutines == null || Thread.currentThread() != vthread
                || IN_PINNED_REPORT.get() != null || !d.coroutines.test(vthread)) {
            return;
        }
        IN_PINNED_REPORT.set(Boolean.TRUE);
        try {
            d.pinned(vthread);
        } catch (Throwable x) {
            d.reports.internalError(x);
        } finally {
            IN_PINNED_REPORT.remove();
        }
    }

    private void pinned(Thread vthread) {
        StackScan w = scan(Kind.PARK);
        if (w.frames.isEmpty() || w.allowed) {
            return;
        }
        // Name the outermost watched JDK call below the app (what the user called), and why it cannot unmount.
        int shown = 0;
        String display = null;
        for (int i = 0; i < w.frames.size() && i < w.firstAppFrame; i++) {
            Call c = StackScan.rowOf(w.frames.get(i));
            if (c != null) {
                display = c.display();
                shown = i;
            }
        }
        if (display == null) {
            display = "java.lang.VirtualThread.park";
        }
        String reason = "a frame that cannot unmount";
        for (StackFrame f : w.frames) {
            if (f.getMethodName().equals("<clinit>")) {
                reason = "class initializer of " + f.getClassName();
                break;
            }
            if (f.isNativeMethod()) {
                reason = "native method " + f.getClassName() + "." + f.getMethodName();
                break;
            }
        }
        reports.record(display + " (pinned: " + reason + ")", true, vthread, w, shown);
    }

    private StackScan scan(Kind kind) {
        return WALKER.walk(frames -> StackScan.of(frames.iterator(), kind, ALLOWED, outerCalls));
    }

    // ------------------------------------------------------------------------------------- deciding

    private static boolean reallyBlocks(Call call, Object self, long arg) {
        return switch (call.when()) {
            case ALWAYS -> true;
            case CHANNEL_IN_BLOCKING_MODE -> !(self instanceof SelectableChannel ch) || ch.isBlocking();
            case ARG_POSITIVE -> arg > 0;
            case ARG_NONZERO -> arg != 0;
            case NOT_STANDARD_STREAM -> !isStandardStream(self);
        };
    }

    private static boolean isStandardStream(Object self) {
        if (self instanceof FileOutputStream out) {
            try {
                FileDescriptor fd = out.getFD();
                return fd == FileDescriptor.out || fd == FileDescriptor.err;
            } catch (IOException closed) {
                return false;
            }
        }
        return false;
    }

    // --------------------------------------------------------------- the API's entry points (JDK types)

    /** "detect", "coroutine" (coroutine mode reporting pinned or carrier-blocking calls), or null. */
    public static String activeMode() {
        Detector d = current;
        if (d == null || (d.mode == Mode.COROUTINE && !d.reportPinned && d.kinds.isEmpty())) {
            return null;
        }
        return d.mode == Mode.DETECT ? "detect" : "coroutine";
    }

    /** Marks {@code t}: true must not block, false may block, null back to the name rule. */
    public static void mark(Thread t, Boolean nonBlocking) {
        if (t == null) {
            throw new NullPointerException("thread");
        }
        if (nonBlocking == null) {
            MARKS.remove(t);
        } else {
            MARKS.put(t, nonBlocking);
        }
        epochBump.run();
    }

    /** Blocking calls made while {@code className.methodName} ({@code *}: any method) is on the stack are allowed. */
    public static void allow(String className, String methodName) {
        if (className == null || methodName == null || className.isBlank() || methodName.isBlank()
                || className.contains("/") || className.contains("#")) {
            throw new IllegalArgumentException("expected a binary class name (com.example.Outer$Inner) and a method"
                    + " name or *, got '" + className + "', '" + methodName + "'");
        }
        addAllowed(className.strip() + "#" + methodName.strip());
    }

    private static void addAllowed(String entry) {
        int hash = entry.indexOf('#');
        String className = entry.substring(0, hash);
        Set<String> methods = ALLOWED.get(className); // no lambda: runs at start-up
        if (methods == null) {
            Set<String> fresh = ConcurrentHashMap.newKeySet();
            methods = ALLOWED.putIfAbsent(className, fresh);
            if (methods == null) {
                methods = fresh;
            }
        }
        methods.add(entry.substring(hash + 1));
    }

    /** {@code listener.accept(report text, sequence number)} for every reported call, deduplicated or not. */
    public static void addListener(ObjLongConsumer<String> listener) {
        LISTENERS.add(listener);
    }

    public static void removeListener(ObjLongConsumer<String> listener) {
        LISTENERS.remove(listener);
    }

    /** For tests of this class: the entries of the allow list. */
    static Collection<String> allowedEntries() {
        List<String> r = new ArrayList<>();
        ALLOWED.forEach((c, ms) -> ms.forEach(m -> r.add(c + "#" + m)));
        return r;
    }
}
