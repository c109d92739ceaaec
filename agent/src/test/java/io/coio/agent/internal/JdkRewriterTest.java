package io.coio.agent.internal;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.coio.agent.internal.detect.BlockingCalls;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rewriter finds every target method of this JDK and calls the bridge from each, and nothing else. */
class JdkRewriterTest {

    @Test
    void everyTargetMethodOfThisJdkCallsTheBridge() throws Exception {
        assertEquals(Set.of("poll(IIJLjava/util/function/BooleanSupplier;)V", "pollSelector(IJ)V", "stopPoll(II)V"),
                methodsCallingBridge(JdkRewriter.POLLER));
        assertEquals(Set.of("parkOnCarrierThread(ZJ)V",
                "schedule(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;",
                "asyncGetStackTrace()[Ljava/lang/StackTraceElement;"), // a converted thread's trace ends at Thread.run
                methodsCallingBridge(JdkRewriter.VIRTUAL_THREAD));
        assertEquals(Set.of("of([Ljava/lang/StackTraceElement;)[Ljava/lang/StackTraceElement;"),
                methodsCallingBridge(JdkRewriter.STACK_TRACE_ELEMENT));
        assertEquals(Set.of("start()V", "start(Ljdk/internal/vm/ThreadContainer;)V", "isAlive()Z", "join(J)V", "join(Ljava/time/Duration;)Z",
                        "getState()Ljava/lang/Thread$State;", "interrupt()V", "isInterrupted()Z",
                        "asyncGetStackTrace()[Ljava/lang/StackTraceElement;",
                        "getContextClassLoader()Ljava/lang/ClassLoader;", "setContextClassLoader(Ljava/lang/ClassLoader;)V",
                        "setName(Ljava/lang/String;)V", "getAllThreads()[Ljava/lang/Thread;",
                        "getAllStackTraces()Ljava/util/Map;",
                        // a new thread-local map is shared with the app thread (AppThreadState.mapCreated)
                        "setThreadLocals(Ljava/lang/ThreadLocal$ThreadLocalMap;)V",
                        "setInheritableThreadLocals(Ljava/lang/ThreadLocal$ThreadLocalMap;)V",
                        // Thread.currentThread() calls that mean "the app's thread" (a child's parent, enumeration)
                        "<init>(Ljava/lang/ThreadGroup;Ljava/lang/String;ILjava/lang/Runnable;J)V",
                        "<init>(Ljava/lang/String;IZ)V", "activeCount()I", "enumerate([Ljava/lang/Thread;)I",
                        "getStackTrace()[Ljava/lang/StackTraceElement;"),
                methodsCallingBridge(JdkRewriter.THREAD));
        assertEquals(Set.of("unpark(Ljava/lang/Thread;)V", "getBlocker(Ljava/lang/Thread;)Ljava/lang/Object;"),
                methodsCallingBridge(JdkRewriter.LOCK_SUPPORT));
        // park: the interrupt test; tryRead/tryWrite: skipping a syscall that must fail (SocketIoTracking)
        assertEquals(Set.of("park(Ljava/io/FileDescriptor;IJ)V", "tryRead(Ljava/io/FileDescriptor;[BII)I",
                "tryWrite(Ljava/io/FileDescriptor;[BII)I"), methodsCallingBridge(JdkRewriter.NIO_SOCKET_IMPL));
        assertEquals(Set.of("close(Ljava/io/FileDescriptor;)V"), methodsCallingBridge(JdkRewriter.UNIX_DISPATCHER));
        assertEquals(Set.of("park(IJ)V"), methodsCallingBridge(JdkRewriter.DATAGRAM_CHANNEL_IMPL));
        assertEquals(Set.of("<init>()V"), methodsCallingBridge(JdkRewriter.DEFAULT_THREAD_FACTORY));
        assertEquals(Set.of("runWorker(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V"),
                methodsCallingBridge(JdkRewriter.THREAD_POOL_EXECUTOR));
        assertEquals(Set.of("getThreadCount()I", "getDaemonThreadCount()I", "getAllThreadIds()[J",
                "dumpAllThreads(ZZI)[Ljava/lang/management/ThreadInfo;",
                // getThreadInfo(ids, ...): converted threads' infos filled in before the return (ThreadInfoEpilogue)
                "getThreadInfo([JI)[Ljava/lang/management/ThreadInfo;",
                "getThreadInfo([JZZ)[Ljava/lang/management/ThreadInfo;",
                "getThreadInfo([JZZI)[Ljava/lang/management/ThreadInfo;"), methodsCallingBridge(JdkRewriter.THREAD_IMPL));
        // the platform MBean server, as it is made: coio's MBeans go in then, not at start-up
        assertEquals(Set.of("getPlatformMBeanServer()Ljavax/management/MBeanServer;"),
                methodsCallingBridge(JdkRewriter.MANAGEMENT_FACTORY));
        for (String owner : JdkRewriter.targets().keySet()) {
            assertEquals(JdkRewriter.targets().get(owner), methodsCallingBridge(owner), owner);
        }
    }

    @Test
    void leavesOtherClassesAndLoadersAlone() throws Exception {
        JdkRewriter rewriter = new JdkRewriter();
        byte[] bytes = jdkClass("java/lang/String");
        assertNull(rewriter.transform(null, null, "java/lang/String", null, null, bytes));
        // a class named like a target but from an app loader is not the JDK's
        assertNull(rewriter.transform(null, getClass().getClassLoader(), JdkRewriter.THREAD, null, null,
                jdkClass(JdkRewriter.THREAD)));
    }

    // ---- install-time check: every coroutine-mode target was found and rewritten ----

    @Test
    void everyTargetOfTheTableIsHookedOnThisJdk() throws Exception {
        JdkRewriter rewriter = new JdkRewriter();
        for (String owner : JdkRewriter.targets().keySet()) {
            assertNotNull(rewriter.transform(null, null, owner, null, null, jdkClass(owner)), owner);
        }
        assertEquals(List.of(), rewriter.missingTargets());
    }

    /** For each row of the table in turn: the JDK class without that one method fails the check, naming it. */
    @Test
    void aTargetMissingFromTheJdkClassIsNamedAndNothingElse() throws Exception {
        for (Map.Entry<String, Set<String>> owner : JdkRewriter.targets().entrySet()) {
            for (String method : owner.getValue()) {
                JdkRewriter rewriter = new JdkRewriter();
                for (String other : JdkRewriter.targets().keySet()) {
                    byte[] bytes = other.equals(owner.getKey()) ? without(jdkClass(other), method) : jdkClass(other);
                    rewriter.transform(null, null, other, null, null, bytes);
                }
                assertEquals(List.of(owner.getKey().replace('/', '.') + "." + method), rewriter.missingTargets(),
                        "without " + method);
            }
        }
    }

    @Test
    void aClassNeverTransformedMissesAllItsTargets() throws Exception {
        JdkRewriter rewriter = new JdkRewriter();
        rewriter.transform(null, null, JdkRewriter.THREAD, null, null, jdkClass(JdkRewriter.THREAD));
        List<String> missing = rewriter.missingTargets();
        assertTrue(missing.contains("sun.nio.ch.Poller.pollSelector(IJ)V"), missing.toString());
        assertTrue(missing.stream().noneMatch(m -> m.startsWith("java.lang.Thread.")), missing.toString());
    }

    @Test
    void theInstallFailureNamesEachMissingMember() {
        assertEquals("JDK member that coio hooks not found on this JDK (Java 21.0.5+11): java.lang.VirtualThread"
                        + ".schedule(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;;"
                        + " coio's coroutine mode is built for JDK 25's internals",
                JdkRewriter.missingMessage(List.of("java.lang.VirtualThread.schedule(Ljava/lang/Runnable;J"
                        + "Ljava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;"), "21.0.5+11"));
        assertEquals("JDK members that coio hooks not found on this JDK (Java 26): a.B.c()V, a.B.d()V; coio's"
                + " coroutine mode is built for JDK 25's internals", JdkRewriter.missingMessage(List.of("a.B.c()V",
                "a.B.d()V"), "26"));
    }

    /** {@code classfile} without method {@code nameAndDesc}, as on a JDK that lacks it. */
    private static byte[] without(byte[] classfile, String nameAndDesc) {
        ClassWriter w = new ClassWriter(0);
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return (name + desc).equals(nameAndDesc) ? null : super.visitMethod(access, name, desc, sig, ex);
            }
        }, 0);
        return w.toByteArray();
    }

    private static Set<String> methodsCallingBridge(String className) throws Exception {
        byte[] rewritten = new JdkRewriter().transform(null, null, className, null, null, jdkClass(className));
        assertNotNull(rewritten, className + " was not rewritten");
        return methodsCallingBridge(rewritten);
    }

    /** A JDK class's bytes as the JVM has them (also used by PrecomputedClassesTest). */
    static byte[] jdkClass(String internalName) throws Exception {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        // JDK modules' resources are not visible through the class path loader: read them from jrt
        String module = Class.forName(internalName.replace('/', '.'), false, null).getModule().getName();
        java.nio.file.FileSystem jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
        return java.nio.file.Files.readAllBytes(jrt.getPath("modules", module, internalName + ".class"));
    }

    // ---- detect mode: the watched blocking methods (BlockingCalls) ----

    @Test
    void detectModeWatchesEveryBlockingMethodOfThisJdkWithItsOwnId() throws Exception {
        JdkRewriter rewriter = new JdkRewriter(false, BlockingCalls.ALL);
        for (Map.Entry<String, Map<String, BlockingCalls.Call>> owner : BlockingCalls.byOwner(BlockingCalls.ALL).entrySet()) {
            byte[] rewritten = rewriter.transform(null, null, owner.getKey(), null, null, jdkClass(owner.getKey()));
            assertNotNull(rewritten, owner.getKey() + " was not rewritten");
            Map<String, Integer> ids = blockingIds(rewritten);
            Map<String, Integer> expected = new HashMap<>();
            owner.getValue().forEach((method, call) -> expected.put(method, call.id()));
            assertEquals(expected, ids, owner.getKey() + ": methods calling CoioBridge.blocking(id, ...)");
        }
    }

    @Test
    void everyHandOffPointOfThisJdkCallsTheBridgeWithItsCause() throws Exception {
        Map<String, Map<String, Integer>> byOwner = new HashMap<>();
        for (String key : HandOffPoints.keys()) {
            int dot = key.indexOf('.');
            byOwner.computeIfAbsent(key.substring(0, dot), k -> new HashMap<>()).put(key.substring(dot + 1), 0);
        }
        JdkRewriter rewriter = new JdkRewriter();
        for (Map.Entry<String, Map<String, Integer>> owner : byOwner.entrySet()) {
            byte[] rewritten = rewriter.transform(null, null, owner.getKey(), null, null, jdkClass(owner.getKey()));
            assertNotNull(rewritten, owner.getKey() + " was not rewritten");
            assertEquals(owner.getValue().keySet(), methodsCalling(rewritten, "beforeBlocking", "beforeWait", "beforeFileIo"),
                    owner.getKey() + ": methods with a hand-off prologue");
        }
        assertEquals(Set.of("wait(J)V"), methodsCalling(
                rewriter.transform(null, null, "java/lang/Object", null, null, jdkClass("java/lang/Object")), "beforeWait"));
        assertEquals(Set.of("begin()Z"), methodsCalling(rewriter.transform(null, null, HandOffPoints.BLOCKER, null, null,
                jdkClass(HandOffPoints.BLOCKER)), "beforeBlocking"));
        // File I/O: the deferred hand-off's mark, begun at entry and ended on every exit (FileIoSpan), no prologue.
        byte[] fis = rewriter.transform(null, null, "java/io/FileInputStream", null, null, jdkClass("java/io/FileInputStream"));
        assertEquals(Set.of("read()I", "read([B)I", "read([BII)I"), methodsCalling(fis, "beforeFileIo"));
        assertEquals(Set.of("read()I", "read([B)I", "read([BII)I"), methodsCalling(fis, "afterFileIo"));
        assertEquals(Set.of(), methodsCalling(fis, "beforeBlocking"));
    }

    @Test
    void blockingChannelReadsAndWritesAreTracked() throws Exception {
        byte[] rewritten = new JdkRewriter().transform(null, null, JdkRewriter.SOCKET_CHANNEL_IMPL, null, null,
                jdkClass(JdkRewriter.SOCKET_CHANNEL_IMPL));
        Set<String> both = Set.of(ChannelIoTracking.IMPL_READ, ChannelIoTracking.IMPL_WRITE);
        assertEquals(both, methodsCalling(rewritten, "beforeSocketIo"), "the attempts consult coio first");
        assertEquals(both, methodsCalling(rewritten, "afterSocketIo"), "and report what they learned");
    }

    @Test
    void handOffCausesAreTheRuntimes() {
        assertEquals(io.coio.runtime.Hooks.FILE, HandOffPoints.FILE);
        assertEquals(io.coio.runtime.Hooks.DNS, HandOffPoints.DNS);
        assertEquals(io.coio.runtime.Hooks.BLOCKER, HandOffPoints.BLOCKER_CAUSE);
    }

    @Test
    void detectModeAddsNoHandOffs() throws Exception {
        JdkRewriter rewriter = new JdkRewriter(false, BlockingCalls.ALL);
        byte[] fis = rewriter.transform(null, null, "java/io/FileInputStream", null, null, jdkClass("java/io/FileInputStream"));
        assertEquals(Set.of(), methodsCalling(fis, "beforeBlocking", "beforeWait", "beforeFileIo", "afterFileIo"));
        assertNull(rewriter.transform(null, null, HandOffPoints.BLOCKER, null, null, jdkClass(HandOffPoints.BLOCKER)));
    }

    /** Methods of {@code classfile} that call one of the bridge's {@code bridgeMethods}. */
    private static Set<String> methodsCalling(byte[] classfile, String... bridgeMethods) {
        Set<String> wanted = Set.of(bridgeMethods);
        Set<String> found = new HashSet<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String m, String d, boolean itf) {
                        if (owner.equals(JdkRewriter.BRIDGE) && wanted.contains(m)) {
                            found.add(name + desc);
                        }
                    }
                };
            }
        }, 0);
        return found;
    }

    @Test
    void detectModeAddsNoCoroutineHooks() throws Exception {
        JdkRewriter rewriter = new JdkRewriter(false, BlockingCalls.ALL);
        byte[] thread = rewriter.transform(null, null, JdkRewriter.THREAD, null, null, jdkClass(JdkRewriter.THREAD));
        assertEquals(Set.of("sleepNanos(J)V"), methodsCallingBridge(thread));
        assertNull(rewriter.transform(null, null, JdkRewriter.POLLER, null, null, jdkClass(JdkRewriter.POLLER)));
        assertNull(rewriter.transform(null, null, JdkRewriter.VIRTUAL_THREAD, null, null, jdkClass(JdkRewriter.VIRTUAL_THREAD)));
    }

    @Test
    void coroutineModeReportAllWatchesOnlyCarrierBlockingCalls() throws Exception {
        List<BlockingCalls.Call> carrier = BlockingCalls.ofKinds(BlockingCalls.carrierBlockingKinds());
        assertTrue(carrier.stream().allMatch(c -> c.kind() == BlockingCalls.Kind.FILE || c.kind() == BlockingCalls.Kind.DNS));
        JdkRewriter rewriter = new JdkRewriter(true, carrier);
        byte[] thread = rewriter.transform(null, null, JdkRewriter.THREAD, null, null, jdkClass(JdkRewriter.THREAD));
        assertTrue(!methodsCallingBridge(thread).contains("sleepNanos(J)V"), "sleep yields on a coroutine");
        assertNotNull(rewriter.transform(null, null, "java/io/FileInputStream", null, null, jdkClass("java/io/FileInputStream")));
        // socket waits yield on a coroutine: NioSocketImpl gets only its coroutine-mode rewrites, no watched prologue
        byte[] socket = rewriter.transform(null, null, "sun/nio/ch/NioSocketImpl", null, null, jdkClass("sun/nio/ch/NioSocketImpl"));
        assertEquals(Set.of("park(Ljava/io/FileDescriptor;IJ)V", "tryRead(Ljava/io/FileDescriptor;[BII)I",
                "tryWrite(Ljava/io/FileDescriptor;[BII)I"), methodsCallingBridge(socket));
    }

    @Test
    void aWatchedMethodMissingFromThisJdkIsSaidInOneLineAfterTheTransformation() throws Exception {
        BlockingCalls.Call ghost = new BlockingCalls.Call(0, "java/lang/String", "noSuchMethod", "()V",
                "java.lang.String.noSuchMethod", BlockingCalls.Kind.FILE, BlockingCalls.When.ALWAYS, false, -1);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JdkRewriter rewriter = new JdkRewriter(false, List.of(ghost));
            rewriter.transform(null, null, "java/lang/String", null, null, jdkClass("java/lang/String"));
            // never printed inside a transformation (the class loading may be on the print path)
            assertEquals("", captured.toString(StandardCharsets.UTF_8));
            rewriter.printLater();
        } finally {
            System.setErr(err);
        }
        assertEquals("coio: cannot watch java.lang.String.noSuchMethod on this JDK (java.lang.String.noSuchMethod()V"
                + " not found); such calls are not reported." + System.lineSeparator(), captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyRowHasAUniqueIdAndKey() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < BlockingCalls.ALL.size(); i++) {
            BlockingCalls.Call c = BlockingCalls.ALL.get(i);
            assertEquals(i, c.id());
            assertTrue(keys.add(c.key()), "duplicate row " + c.key());
        }
    }

    /** name+desc -> the int constant pushed before each call of CoioBridge.blocking in that method. */
    private static Map<String, Integer> blockingIds(byte[] classfile) {
        Map<String, Integer> ids = new HashMap<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    Integer lastConstant;

                    @Override
                    public void visitLdcInsn(Object value) {
                        lastConstant = value instanceof Integer i ? i : null;
                    }

                    @Override
                    public void visitIntInsn(int opcode, int operand) {
                        lastConstant = operand;
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode >= Opcodes.ICONST_0 && opcode <= Opcodes.ICONST_5) {
                            lastConstant = opcode - Opcodes.ICONST_0;
                        }
                    }

                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) {
                        // the prologue: <id>; this or null; long or 0L; invokestatic (only the id is an int)
                        if (owner.equals(JdkRewriter.BRIDGE) && n.equals("blocking")) {
                            ids.put(name + desc, lastConstant);
                        }
                    }
                };
            }
        }, 0);
        return ids;
    }

    private static Set<String> methodsCallingBridge(byte[] rewritten) {
        Set<String> found = new HashSet<>();
        new ClassReader(rewritten).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) {
                        if (owner.equals(JdkRewriter.BRIDGE)) {
                            found.add(name + desc);
                        }
                    }
                };
            }
        }, 0);
        return found;
    }
}
