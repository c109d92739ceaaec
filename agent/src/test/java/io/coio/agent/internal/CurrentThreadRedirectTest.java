package io.coio.agent.internal;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The constant-pool rewrite behind {@link AppThreadCalls}: every way a class can reach {@code Thread.currentThread()}
 * (a call, a lambda's call, a {@code Thread::currentThread} method reference, an {@code ldc} of its method handle, a
 * dynamic constant built from it) ends at the new owner, classes that only mention the name are left untouched,
 * and over every class of {@code java.base} and of this test's class path the rewrite finds exactly the classes an
 * ASM parse of all their code finds, and leaves no call behind.
 */
class CurrentThreadRedirectTest {
    static final String FAKE = Type.internal(FakeThreads.class);

    /** What the rewritten test classes call instead of Thread.currentThread(). */
    public static final class FakeThreads {
        public static final Thread MARKER = new Thread("marker");

        public static Thread currentThread() {
            return MARKER;
        }
    }

    @Test
    void callsLambdasAndMethodReferencesReachTheNewOwner() throws Throwable {
        Class<?> c = rewrittenAndLoaded(CallsCurrentThread.class);
        assertSame(FakeThreads.MARKER, invoke(c, "plain"));
        assertEquals("marker", invoke(c, "name"));
        assertSame(FakeThreads.MARKER, ((Supplier<?>) invoke(c, "methodReference")).get());
        assertSame(FakeThreads.MARKER, ((Supplier<?>) invoke(c, "lambda")).get());
        // the same class not rewritten answers the real thread: the test would see a missed call
        assertSame(Thread.currentThread(), CallsCurrentThread.plain());
    }

    @Test
    void ldcOfTheMethodHandleAndDynamicConstantsReachTheNewOwner() throws Throwable {
        Class<?> c = load("gen.LdcHandle", CurrentThreadRedirect.redirect(ldcHandleClass(), FAKE));
        assertSame(FakeThreads.MARKER, ((MethodHandle) invoke(c, "handle")).invoke());
        assertSame(FakeThreads.MARKER, invoke(c, "condy"));
    }

    @Test
    void aClassThatOnlyMentionsTheNameIsLeftAlone() throws IOException {
        assertNull(CurrentThreadRedirect.redirect(bytes(MentionsCurrentThread.class), FAKE));
        assertNull(CurrentThreadRedirect.redirect(bytes(OwnCurrentThread.class), FAKE));
    }

    @Test
    void onlyTheConstantPoolChanges() throws IOException {
        byte[] before = bytes(CallsCurrentThread.class);
        byte[] after = CurrentThreadRedirect.redirect(before, FAKE);
        assertNotNull(after);
        int added = 3 + FAKE.length() + 3;
        assertEquals(before.length + added, after.length);
        // everything after the constant pool is byte for byte the same
        int poolEnd = new ClassReader(before).header; // access_flags follow the pool
        assertEquals(poolEnd + added, new ClassReader(after).header);
        assertArrayEquals(java.util.Arrays.copyOfRange(before, poolEnd, before.length),
                java.util.Arrays.copyOfRange(after, poolEnd + added, after.length));
    }

    @Test
    void notAClassFileIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CurrentThreadRedirect.redirect(new byte[] {1, 2, 3, 4, 5}, FAKE));
        byte[] cut = java.util.Arrays.copyOf(bytesUnchecked(CallsCurrentThread.class), 40);
        assertThrows(IllegalArgumentException.class, () -> CurrentThreadRedirect.redirect(cut, FAKE));
    }

    /**
     * Every class of java.base and of the class path (JUnit, ASM, ...): the rewrite changes exactly the classes in
     * which an ASM parse of all code and constants finds a use of Thread.currentThread(), and afterwards the parse
     * finds none of them left and as many uses of the new owner.
     */
    @Test
    void agreesWithAFullParseOnEveryClassOfJavaBaseAndTheClassPath() throws IOException {
        int classes = 0;
        int rewritten = 0;
        List<String> wrong = new ArrayList<>();
        for (byte[] b : (Iterable<byte[]>) allClasses()::iterator) {
            classes++;
            int uses = uses(b, "java/lang/Thread");
            byte[] after = CurrentThreadRedirect.redirect(b, FAKE);
            String name = new ClassReader(b).getClassName();
            if (uses == 0) {
                if (after != null) {
                    wrong.add(name + ": rewritten without a use");
                }
                continue;
            }
            rewritten++;
            if (after == null) {
                wrong.add(name + ": " + uses + " uses missed");
            } else if (uses(after, "java/lang/Thread") != 0 || uses(after, FAKE) != uses) {
                wrong.add(name + ": " + uses(after, "java/lang/Thread") + " uses left, " + uses(after, FAKE) + " moved of " + uses);
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong: " + wrong.subList(0, Math.min(20, wrong.size())));
        assertTrue(classes > 5000 && rewritten > 100, classes + " classes, " + rewritten + " rewritten");
    }

    // ----------------------------------------------------------------------------------------- helpers

    /** Uses of {@code owner.currentThread()Ljava/lang/Thread;}: invokestatic, method-handle constants anywhere. */
    static int uses(byte[] classfile, String owner) {
        int[] n = {0};
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String o, String m, String d, boolean itf) {
                        if (o.equals(owner) && m.equals("currentThread") && d.equals("()Ljava/lang/Thread;")) {
                            n[0]++;
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String m, String d, Handle bsm, Object... args) {
                        count(bsm);
                        for (Object a : args) {
                            count(a);
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        count(value);
                    }

                    private void count(Object constant) {
                        if (constant instanceof Handle h) {
                            if (h.getOwner().equals(owner) && h.getName().equals("currentThread")
                                    && h.getDesc().equals("()Ljava/lang/Thread;")) {
                                n[0]++;
                            }
                        } else if (constant instanceof ConstantDynamic c) {
                            count(c.getBootstrapMethod());
                            for (int i = 0; i < c.getBootstrapMethodArgumentCount(); i++) {
                                count(c.getBootstrapMethodArgument(i));
                            }
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }

    private static Stream<byte[]> allClasses() throws IOException {
        List<byte[]> all = new ArrayList<>();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        addClasses(jrt.getPath("/modules/java.base"), all);
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                try (FileSystem jar = FileSystems.newFileSystem(p)) {
                    addClasses(jar.getPath("/"), all);
                }
            } else if (Files.isDirectory(p)) {
                addClasses(p, all);
            }
        }
        return all.stream();
    }

    private static void addClasses(Path root, List<byte[]> into) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.toString();
                if (n.endsWith(".class") && !n.endsWith("module-info.class") && !n.contains("META-INF")) {
                    into.add(Files.readAllBytes(f));
                }
            }
        }
    }

    /** A class with {@code ldc MethodHandle Thread.currentThread} and a dynamic constant invoking it. */
    private static byte[] ldcHandleClass() {
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        w.visit(Opcodes.V21, Opcodes.ACC_PUBLIC, "gen/LdcHandle", null, "java/lang/Object", null);
        Handle currentThread = new Handle(Opcodes.H_INVOKESTATIC, "java/lang/Thread", "currentThread",
                "()Ljava/lang/Thread;", false);
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "handle",
                "()Ljava/lang/invoke/MethodHandle;", null, null);
        m.visitCode();
        m.visitLdcInsn(currentThread);
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        Handle invoke = new Handle(Opcodes.H_INVOKESTATIC, "java/lang/invoke/ConstantBootstraps", "invoke",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;Ljava/lang/invoke/MethodHandle;"
                        + "[Ljava/lang/Object;)Ljava/lang/Object;", false);
        m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "condy", "()Ljava/lang/Thread;", null, null);
        m.visitCode();
        m.visitLdcInsn(new ConstantDynamic("thread", "Ljava/lang/Thread;", invoke, currentThread));
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    private static Class<?> rewrittenAndLoaded(Class<?> c) throws IOException, ClassNotFoundException {
        byte[] rewritten = CurrentThreadRedirect.redirect(bytes(c), FAKE);
        assertNotNull(rewritten, c + " was not rewritten");
        return load(c.getName(), rewritten);
    }

    /** Defines {@code bytes} as {@code name} in a loader of its own; everything else comes from this test's loader. */
    private static Class<?> load(String name, byte[] bytes) throws ClassNotFoundException {
        return new ClassLoader(CurrentThreadRedirectTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.equals(name)) {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> done = findLoadedClass(n);
                        return done != null ? done : defineClass(n, bytes, 0, bytes.length);
                    }
                }
                return super.loadClass(n, resolve);
            }
        }.loadClass(name);
    }

    private static Object invoke(Class<?> c, String method) throws Exception {
        Method m = c.getDeclaredMethod(method);
        m.setAccessible(true);
        return m.invoke(null);
    }

    static byte[] bytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream("/" + Type.internal(c) + ".class")) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytesUnchecked(Class<?> c) {
        try {
            return bytes(c);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Type {
        static String internal(Class<?> c) {
            return c.getName().replace('.', '/');
        }
    }
}

/** Every javac form of a call: plain, in a lambda, as a method reference (invokedynamic + method handle). */
class CallsCurrentThread {
    static Thread plain() {
        return Thread.currentThread();
    }

    static String name() {
        return Thread.currentThread().getName();
    }

    static Supplier<Thread> methodReference() {
        return Thread::currentThread;
    }

    static Supplier<Thread> lambda() {
        return () -> Thread.currentThread();
    }
}

/** The name, but no call of Thread.currentThread(): a string, a field, another class's static currentThread(). */
class MentionsCurrentThread {
    String currentThread = "currentThread";

    Thread other() {
        return OwnCurrentThread.currentThread();
    }
}

class OwnCurrentThread {
    static Thread currentThread() {
        return null;
    }
}
