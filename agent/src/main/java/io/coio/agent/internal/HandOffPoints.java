package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The JDK 25 methods that block their OS thread and cannot yield, and that get a hand-off prologue in coroutine mode
 * (before/after Java in {@code agent/docs/how_it_works.md}): on a coroutine that drives its carrier's loop, the loop
 * moves to a spare OS thread before the method blocks.
 * <ul>
 *   <li>{@code jdk.internal.misc.Blocker.begin()}: the JDK's own mark around blocking operations (process pipes,
 *       console, {@code FileChannel.force/lock}, {@code FileDescriptor.sync}, and the DNS lookups below):
 *       {@code CoioBridge.beforeBlocking(BLOCKER);}
 *   <li>{@code InetAddress$PlatformResolver.lookupByName/lookupByAddress}: {@code beforeBlocking(DNS)} (so that a
 *       lookup is counted as DNS; the {@code Blocker.begin} inside it then finds the loop already handed on)
 *   <li>file I/O: the {@link BlockingCalls.Kind#FILE} rows ({@code FileInputStream.read}, {@code FileOutputStream.write},
 *       {@code RandomAccessFile} read/write, {@code FileChannel} read/write/transfer/force/lock), which JDK 25 no
 *       longer marks with {@code Blocker}: wrapped by {@link FileIoSpan} ({@code beforeFileIo()} ... finally
 *       {@code afterFileIo(mark)}): the hand-off is deferred, made by the carrier's watchdog only if the call lasts
 *   <li>{@code Object.wait(long)}: {@code CoioBridge.beforeWait();} (hands off only if the coroutine is pinned)
 * </ul>
 * Not API.
 */
final class HandOffPoints {
    /**
     * The causes passed to {@code CoioBridge.beforeBlocking}: the same numbers as {@code io.coio.runtime.Hooks}'
     * (checked by HandOffPointsTest). Not referenced from there: this class is compiled for Java 17 with the rest
     * of what the rewriter needs (detect mode loads it), the runtime for 25.
     */
    static final int FILE = 0;
    static final int DNS = 1;
    static final int BLOCKER_CAUSE = 2;

    static final String BLOCKER = "jdk/internal/misc/Blocker";
    static final String RESOLVER = "java/net/InetAddress$PlatformResolver";
    static final String OBJECT_WAIT = "java/lang/Object.wait(J)V";

    /** "owner.name+desc" -> the cause passed to {@code CoioBridge.beforeBlocking}, or -1 for {@code beforeWait}. */
    private static final Map<String, Integer> POINTS = new HashMap<>();

    static {
        POINTS.put(BLOCKER + ".begin()Z", BLOCKER_CAUSE);
        POINTS.put(RESOLVER + ".lookupByName(Ljava/lang/String;Ljava/net/spi/InetAddressResolver$LookupPolicy;)"
                + "Ljava/util/stream/Stream;", DNS);
        POINTS.put(RESOLVER + ".lookupByAddress([B)Ljava/lang/String;", DNS);
        for (BlockingCalls.Call c : BlockingCalls.ofKinds(EnumSet.of(BlockingCalls.Kind.FILE))) {
            POINTS.put(c.key(), FILE);
        }
        POINTS.put(OBJECT_WAIT, -1);
    }

    private HandOffPoints() {
    }

    /** {@code targets} plus the hand-off points, merged per owner. */
    static Map<String, Set<String>> addTo(Map<String, Set<String>> targets) {
        // loops, not lambdas: this runs at start-up, where each lambda costs a spun class
        Map<String, Set<String>> all = new HashMap<>();
        for (Map.Entry<String, Set<String>> target : targets.entrySet()) {
            all.put(target.getKey(), new HashSet<>(target.getValue()));
        }
        for (String key : POINTS.keySet()) {
            int dot = key.indexOf('.');
            String owner = key.substring(0, dot);
            Set<String> methods = all.get(owner);
            if (methods == null) {
                methods = new HashSet<>();
                all.put(owner, methods);
            }
            methods.add(key.substring(dot + 1));
        }
        Map<String, Set<String>> frozen = new HashMap<>();
        for (Map.Entry<String, Set<String>> owner : all.entrySet()) {
            frozen.put(owner.getKey(), Set.copyOf(owner.getValue()));
        }
        return Map.copyOf(frozen);
    }

    /** Whether {@code owner.nameAndDesc} is a file I/O point (wrapped by {@link FileIoSpan}, not given a prologue). */
    static boolean isFileIo(String owner, String nameAndDesc) {
        Integer cause = POINTS.get(owner + "." + nameAndDesc);
        return cause != null && cause == FILE;
    }

    /** Every hand-off point as "owner.name+desc" (for tests). */
    static Set<String> keys() {
        return Set.copyOf(POINTS.keySet());
    }

    /** Emits the hand-off prologue if {@code owner.method} is a hand-off point; false otherwise. */
    static boolean prologue(MethodVisitor mv, String owner, String method) {
        Integer cause = POINTS.get(owner + "." + method);
        if (cause == null) {
            return false;
        }
        if (cause < 0) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, JdkRewriter.BRIDGE, "beforeWait", "()V", false);
        } else {
            mv.visitLdcInsn(cause);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, JdkRewriter.BRIDGE, "beforeBlocking", "(I)V", false);
        }
        return true;
    }
}
