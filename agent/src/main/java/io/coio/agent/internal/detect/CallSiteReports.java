package io.coio.agent.internal.detect;

import io.coio.agent.internal.CoioLog;

import java.lang.StackWalker.StackFrame;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjLongConsumer;

/**
 * A {@link Detector}'s reports: one line plus stack on stderr for the first call at each call site (later ones are
 * counted), a {@code coio.BlockingCall} JFR event per call, every report to the API's listeners, the
 * {@code BlockingCallError} that {@code onblock=throw} throws, and the per-call-site summary at exit.
 *
 * <p>Threads: any thread at once (the blocking threads record, the shutdown hook prints the summary).
 */
final class CallSiteReports {
    /** Distinct call sites remembered; beyond, calls are only counted in one "other call sites" bucket. */
    private static final int MAX_SITES = 10_000;
    private static final int MAX_THREAD_NAMES = 8;
    private static final String NL = System.lineSeparator();

    private final Detector.Mode mode;
    private final boolean throwOnBlock;
    /** key "display @ call site" -> site. */
    private final ConcurrentHashMap<String, Site> sites = new ConcurrentHashMap<>();
    private final Site otherSites = new Site("(calls at further call sites)", "-", false);
    private final AtomicLong internalErrors = new AtomicLong();
    private volatile MethodHandle newBlockingCallError;

    CallSiteReports(Detector.Mode mode, boolean throwOnBlock) {
        this.mode = mode;
        this.throwOnBlock = throwOnBlock;
    }

    /** One call site: its counts and the threads seen there. */
    private static final class Site {
        final String display;
        final String callSite;
        final boolean pinned;
        final LongAdder count = new LongAdder();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        Site(String display, String callSite, boolean pinned) {
            this.display = display;
            this.callSite = callSite;
            this.pinned = pinned;
        }

        void seenOn(String thread) {
            if (threads.size() < MAX_THREAD_NAMES) {
                threads.add(thread);
            }
        }
    }

    /** One reported call, as built for the stderr report, the listeners, JFR and the thrown error. */
    record Report(String header, String callSite, List<StackFrame> frames, boolean first, boolean pinned,
                         String display, String thread) {
        String stackText() {
            StringBuilder sb = new StringBuilder();
            for (StackFrame f : frames) {
                sb.append("\tat ").append(f.toStackTraceElement()).append(NL);
            }
            return sb.toString();
        }

        String text() {
            return header + NL + stackText();
        }
    }

    Report record(String display, boolean pinned, Thread t, StackScan w, int from) {
        List<StackFrame> frames = w.frames.subList(from, w.frames.size());
        // The call site: the first frame of app code; without one (say, deeper than the frames kept), the
        // watched method's caller.
        int siteIndex = w.firstAppFrame > from && w.firstAppFrame < w.frames.size()
                ? w.firstAppFrame : Math.min(from + 1, w.frames.size() - 1);
        String callSite = w.frames.get(siteIndex).toStackTraceElement().toString();
        String key = display + " @ " + callSite;
        boolean first = false;
        Site site = sites.get(key);
        if (site == null) {
            if (sites.size() >= MAX_SITES) {
                site = otherSites;
            } else {
                Site fresh = new Site(display, callSite, pinned);
                site = sites.putIfAbsent(key, fresh);
                if (site == null) {
                    site = fresh;
                    first = true;
                }
            }
        }
        String thread = threadName(t);
        site.count.increment();
        site.seenOn(thread);
        Report e = new Report("coio: blocking call " + display + " on thread " + thread, callSite, frames, first,
                pinned, display, thread);
        long seq = Detector.SEQUENCE.incrementAndGet();
        String text = null;
        if (first && !throwOnBlock) {
            text = e.text();
            CoioLog.text(System.Logger.Level.WARNING, text);
        }
        if (JfrSupport.AVAILABLE) {
            JfrSupport.emit(e.display, thread, callSite, e, first, pinned);
        }
        if (!Detector.LISTENERS.isEmpty()) {
            if (text == null) {
                text = e.text();
            }
            for (ObjLongConsumer<String> l : Detector.LISTENERS) {
                try {
                    l.accept(text, seq);
                } catch (RuntimeException x) {
                    internalError(x);
                }
            }
        }
        return e;
    }

    private static String threadName(Thread t) {
        String n = t.getName();
        return n.isEmpty() ? t.toString() : n;
    }

    Error blockingCallError(Report e) {
        String message = e.header.substring("coio: ".length()) + " (coio detect mode, onblock=throw)";
        Error error;
        try {
            MethodHandle ctor = newBlockingCallError;
            if (ctor == null) {
                // In the agent jar's API package (compiled for Java 8, so not visible to this source root).
                Class<?> c = Class.forName("io.coio.agent.detect.BlockingCallError", true, Detector.class.getClassLoader());
                ctor = MethodHandles.publicLookup().findConstructor(c, MethodType.methodType(void.class, String.class))
                        .asType(MethodType.methodType(Error.class, String.class));
                newBlockingCallError = ctor;
            }
            error = (Error) ctor.invokeExact(message);
        } catch (Throwable x) {
            error = new AssertionError(message);
        }
        StackTraceElement[] trace = new StackTraceElement[e.frames.size()];
        for (int i = 0; i < trace.length; i++) {
            trace[i] = e.frames.get(i).toStackTraceElement();
        }
        error.setStackTrace(trace);
        return error;
    }

    void internalError(Throwable x) {
        if (internalErrors.getAndIncrement() == 0) {
            CoioLog.line(System.Logger.Level.ERROR, "coio: internal error while checking a blocking call (further ones are counted): " + x);
            x.printStackTrace();
        }
    }

    void printSummary(boolean quiet) {
        List<Site> all = new ArrayList<>(sites.values());
        if (otherSites.count.sum() > 0) {
            all.add(otherSites);
        }
        long calls = 0;
        for (Site s : all) {
            calls += s.count.sum();
        }
        StringBuilder sb = new StringBuilder();
        if (all.isEmpty()) {
            if (mode == Detector.Mode.COROUTINE || quiet) {
                return;
            }
            sb.append("coio: detect summary: no blocking calls on non-blocking threads").append(NL);
        } else {
            sb.append("coio: ").append(mode == Detector.Mode.DETECT ? "detect" : "blocking-call").append(" summary: ")
                    .append(all.size()).append(all.size() == 1 ? " call site, " : " call sites, ")
                    .append(calls).append(calls == 1 ? " blocking call" : " blocking calls").append(NL);
            all.sort(Comparator.comparingLong((Site s) -> s.count.sum()).reversed());
            for (Site s : all) {
                List<String> threads = new ArrayList<>(s.threads);
                Collections.sort(threads);
                sb.append("coio:   ").append(s.count.sum()).append("x ").append(s.display).append(" at ")
                        .append(s.callSite).append(threads.size() == 1 ? ", thread " : ", threads ")
                        .append(String.join(" ", threads)).append(NL);
            }
        }
        if (internalErrors.get() > 0) {
            sb.append("coio:   (").append(internalErrors.get()).append(" internal errors while checking calls)").append(NL);
        }
        CoioLog.text(all.isEmpty() ? System.Logger.Level.INFO : System.Logger.Level.WARNING, sb.toString());
    }

    /** JFR, only touched when the jdk.jfr module is present. */
    private static final class JfrSupport {
        static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

        static void emit(String method, String thread, String callSite, Report e, boolean first, boolean pinned) {
            BlockingCallEvent ev = new BlockingCallEvent();
            if (ev.isEnabled()) {
                ev.method = method;
                ev.thread = thread;
                ev.callSite = callSite;
                ev.stack = e.stackText();
                ev.first = first;
                ev.pinned = pinned;
                ev.commit();
            }
        }
    }
}
