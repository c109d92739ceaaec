package io.coio.agent.internal;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;

/**
 * Rewrites app classes so that {@code Thread.currentThread()} answers the app's own {@code Thread} object
 * inside a converted thread: every {@code invokestatic java/lang/Thread.currentThread()} (and every
 * {@code Thread::currentThread} method reference) in a class loaded by an app class loader becomes
 * {@code java.lang.CoioThreads.currentThread()}, which answers exactly as before on any other thread.
 * {@code Thread.currentThread()} is a JVM intrinsic of the running (virtual) thread and cannot itself
 * be redirected; the call sites can. This is what makes {@code ((Worker) Thread.currentThread()).field},
 * {@code currentThread() == this} and "remove the current thread from my set" work in unmodified apps.
 *
 * <p>Classes of the JDK (boot and platform loaders) and of coio itself are left alone; a class whose
 * bytes do not mention {@code currentThread} is returned untouched without being parsed, and unchanged
 * methods are copied as they are (the rewrite keeps the stack shape, so no frames are recomputed).
 *
 * <p>Threads: any (called by the JVM's class loading on any thread); stateless.
 */
final class AppThreadCalls implements ClassFileTransformer {
    static final String APP_CURRENT_THREAD_OWNER = JdkBridge.APP_THREADS_AS;
    private static final String THREAD = "java/lang/Thread";
    private static final String CURRENT_THREAD = "currentThread";
    private static final String CURRENT_THREAD_DESC = "()Ljava/lang/Thread;";
    private static final byte[] NEEDLE = CURRENT_THREAD.getBytes(StandardCharsets.US_ASCII);

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain pd, byte[] classfile) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader() || className == null
                || isCoio(className) || !contains(classfile, NEEDLE)) {
            return null;
        }
        try {
            return rewrite(classfile);
        } catch (Throwable t) {
            // Never break the app: the class loads as it is (inside it, currentThread() is the coroutine).
            CoioLog.line(System.Logger.Level.ERROR, "coio: could not rewrite Thread.currentThread() calls in " + className.replace('/', '.')
                    + ": " + t);
            return null;
        }
    }

    /** The rewritten class, or null if it has no call to rewrite. */
    static byte[] rewrite(byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] changed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, desc, sig, ex)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mName, String mDesc, boolean itf) {
                        if (opcode == Opcodes.INVOKESTATIC && isCurrentThread(owner, mName, mDesc)) {
                            changed[0] = true;
                            owner = APP_CURRENT_THREAD_OWNER;
                            itf = false;
                        }
                        super.visitMethodInsn(opcode, owner, mName, mDesc, itf);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n, String d, Handle bsm, Object... args) {
                        for (int i = 0; i < args.length; i++) {
                            args[i] = replaced(args[i], changed);
                        }
                        super.visitInvokeDynamicInsn(n, d, bsm, args);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        super.visitLdcInsn(replaced(value, changed));
                    }
                };
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    /** A method handle constant {@code Thread::currentThread} becomes {@code CoioThreads::currentThread}. */
    private static Object replaced(Object constant, boolean[] changed) {
        if (constant instanceof Handle h && h.getTag() == Opcodes.H_INVOKESTATIC
                && isCurrentThread(h.getOwner(), h.getName(), h.getDesc())) {
            changed[0] = true;
            return new Handle(Opcodes.H_INVOKESTATIC, APP_CURRENT_THREAD_OWNER, CURRENT_THREAD, CURRENT_THREAD_DESC, false);
        }
        return constant;
    }

    private static boolean isCurrentThread(String owner, String name, String desc) {
        return owner.equals(THREAD) && name.equals(CURRENT_THREAD) && desc.equals(CURRENT_THREAD_DESC);
    }

    private static boolean isCoio(String internalName) {
        return ThreadConversion.isCoioInternal(internalName.replace('/', '.'));
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0, last = haystack.length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
