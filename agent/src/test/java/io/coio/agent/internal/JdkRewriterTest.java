package io.coio.agent.internal;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The rewriter finds every target method of this JDK and calls the bridge from each, and nothing else. */
class JdkRewriterTest {

    @Test
    void everyTargetMethodOfThisJdkCallsTheBridge() throws Exception {
        assertEquals(Set.of("poll(IIJLjava/util/function/BooleanSupplier;)V", "pollSelector(IJ)V", "stopPoll(II)V"),
                methodsCallingBridge(JdkRewriter.POLLER));
        assertEquals(Set.of("parkOnCarrierThread(ZJ)V",
                "schedule(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;"),
                methodsCallingBridge(JdkRewriter.VIRTUAL_THREAD));
        assertEquals(Set.of("start()V", "isAlive()Z", "join(J)V", "join(Ljava/time/Duration;)Z",
                        "getState()Ljava/lang/Thread$State;", "interrupt()V", "isInterrupted()Z",
                        "getStackTrace()[Ljava/lang/StackTraceElement;"),
                methodsCallingBridge(JdkRewriter.THREAD));
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

    private static Set<String> methodsCallingBridge(String className) throws Exception {
        byte[] rewritten = new JdkRewriter().transform(null, null, className, null, null, jdkClass(className));
        assertNotNull(rewritten, className + " was not rewritten");
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

    private static byte[] jdkClass(String internalName) throws Exception {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        // java.base resources are not visible through the class path loader: read them from jrt
        java.nio.file.FileSystem jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
        return java.nio.file.Files.readAllBytes(jrt.getPath("modules", "java.base", internalName + ".class"));
    }
}
