package io.coio.agent.internal.detect;

import io.coio.agent.internal.detect.BlockingCalls.Call;
import io.coio.agent.internal.detect.BlockingCalls.Kind;

import java.io.PrintStream;
import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one pass over a blocking thread's stack, below the bridge, finds: the frames to show, where the app's
 * code starts, and the three reasons not to report the call — an allowed method on the stack (the allow list, or
 * a JDK class's static initializer), an outer watched call that always blocks (reported itself), or a wait for
 * the console's lock.
 *
 * <p>Threads: made and read by the one thread whose stack it describes.
 */
final class StackScan {
    private static final String BRIDGE_CLASS = "sun.nio.ch.CoioBridge";
    /** Frames kept for a report (the allow list looks at every frame). */
    private static final int MAX_FRAMES = 256;

    /** From the watched JDK method (or, pinned, the virtual thread's park) down; at most MAX_FRAMES. */
    final List<StackFrame> frames = new ArrayList<>();
    /** Index in {@link #frames} of the first frame of app code (not JDK, not coio), or frames.size(). */
    int firstAppFrame = Integer.MAX_VALUE;
    boolean allowed;
    boolean insideOuterCall;
    boolean consoleLock;

    private StackScan() {
    }

    /**
     * Scans {@code it} (a stack walk of the current thread, top first) for a call of {@code kind}.
     * {@code allowed}: class name to method names ("*" for all); {@code outerCalls}: "class#name+desc" of watched
     * methods that always block.
     */
    static StackScan of(Iterator<StackFrame> it, Kind kind, Map<String, Set<String>> allowed, Set<String> outerCalls) {
        StackScan w = new StackScan();
        boolean belowBridge = false;
        int index = -1;
        while (it.hasNext()) {
            StackFrame f = it.next();
            String cls = f.getClassName();
            if (!belowBridge) {
                belowBridge = cls.equals(BRIDGE_CLASS);
                continue;
            }
            if (cls.equals(BRIDGE_CLASS)) {
                continue;
            }
            index++;
            if (w.frames.size() < MAX_FRAMES) {
                w.frames.add(f);
            }
            Set<String> allowedMethods = allowed.get(cls);
            if (allowedMethods != null && (allowedMethods.contains("*") || allowedMethods.contains(f.getMethodName()))) {
                w.allowed = true;
                return w;
            }
            if (f.getMethodName().equals("<clinit>") && isJdkClass(f.getDeclaringClass())) {
                // The JDK's own one-time lazy initialisation (net.properties on the first socket, tzdb.dat, ...):
                // not the code on this thread, and nothing it could change. App class initialisers are reported.
                w.allowed = true;
                return w;
            }
            boolean app = isAppFrame(f);
            if (app && w.firstAppFrame == Integer.MAX_VALUE) {
                w.firstAppFrame = index;
            }
            if (index > 0 && outerCalls.contains(cls + "#" + f.getMethodName() + f.getDescriptor())) {
                w.insideOuterCall = true;
            }
            if (w.firstAppFrame == Integer.MAX_VALUE && (kind == Kind.PARK || kind == Kind.WAIT)
                    && f.getDeclaringClass() == PrintStream.class) {
                w.consoleLock = true; // waiting for System.out's lock: console output is exempt
            }
        }
        return w;
    }

    private static boolean isJdkClass(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        return l == null || l == ClassLoader.getPlatformClassLoader();
    }

    private static boolean isAppFrame(StackFrame f) {
        Class<?> c = f.getDeclaringClass();
        if (isJdkClass(c)) {
            return false;
        }
        String n = c.getName();
        return !(n.startsWith("io.coio.agent.") || n.startsWith("io.coio.runtime.") || n.startsWith("io.coio.shaded."));
    }

    /** The watched call that {@code f} is a frame of, or null. */
    static Call rowOf(StackFrame f) {
        for (Call c : BlockingCalls.ALL) {
            if (c.name().equals(f.getMethodName()) && c.className().equals(f.getClassName())
                    && c.desc().equals(f.getDescriptor())) {
                return c;
            }
        }
        return null;
    }
}
