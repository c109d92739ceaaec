package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.util.Map;
import java.util.Set;

import static io.coio.agent.internal.JdkRewriter.BRIDGE;
import static io.coio.agent.internal.JdkRewriter.CALL_REWRITES;
import static io.coio.agent.internal.JdkRewriter.NIO_SOCKET_IMPL;
import static io.coio.agent.internal.JdkRewriter.SOCKET_CHANNEL_IMPL;
import static io.coio.agent.internal.JdkRewriter.STACK_TRACE_METHODS;
import static io.coio.agent.internal.JdkRewriter.THREAD_IMPL;
import static io.coio.agent.internal.JdkRewriter.THREAD_INFO_METHODS;

/**
 * {@link JdkRewriter}'s rewrite of one JDK class with ASM: what the build runs to precompute the rewritten JDK
 * classes ({@link PrecomputeBuild}) and what the agent runs when the running JDK's class is not the one they were
 * precomputed from ({@link PrecomputedClasses}). A class of its own so that ASM is not loaded (nor verified against)
 * on the fast path. Compiled for Java 17 (agent/pom.xml). Threads: stateless; any thread.
 */
final class AsmRewrite {
    private AsmRewrite() {
    }

    static byte[] rewrite(String className, Set<String> methods, Set<String> hooks,
                          Map<String, BlockingCalls.Call> calls, byte[] classfile, Set<String> found) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new BootClassWriter(reader);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                MethodVisitor mv = super.visitMethod(access, name, desc, sig, ex);
                String key = name + desc;
                if (!methods.contains(key) || (access & (Opcodes.ACC_NATIVE | Opcodes.ACC_ABSTRACT)) != 0) {
                    return mv;
                }
                found.add(key);
                BlockingCalls.Call call = calls.get(key);
                if (STACK_TRACE_METHODS.getOrDefault(className, Set.of()).contains(key)) {
                    return new StackTraceEnd(mv);
                }
                if (className.equals(THREAD_IMPL) && THREAD_INFO_METHODS.containsKey(key)) {
                    return new ThreadInfoEpilogue(mv, key);
                }
                Map<String, String> replaced = CALL_REWRITES.getOrDefault(className, Map.of()).get(key);
                if (replaced != null && call == null) {
                    return new CallReplacer(mv, replaced);
                }
                if (className.equals(NIO_SOCKET_IMPL) && SocketIoTracking.tracks(key) && call == null) {
                    return new SocketIoTracking(mv, access, className, name, desc);
                }
                if (className.equals(SOCKET_CHANNEL_IMPL) && ChannelIoTracking.tracks(key) && call == null) {
                    return new ChannelIoTracking(mv, access, className, name, desc);
                }
                if (hooks.contains(key) && HandOffPoints.isFileIo(className, key)) {
                    return new FileIoSpan(mv, access, name, desc, call); // (report=all: the watched prologue first)
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        if (hooks.contains(key)) {
                            Prologues.annotate(mv, className, name, desc); // annotations come before the code
                        }
                        super.visitCode();
                        if (call != null) {
                            Prologues.watched(mv, call);
                        }
                        if (hooks.contains(key)) {
                            Prologues.emit(mv, className, name, desc);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    /** Replaces calls {@code owner.name desc} listed in {@code replaced} by static bridge calls of the same shape. */
    private static final class CallReplacer extends MethodVisitor {
        private final Map<String, String> replaced;

        CallReplacer(MethodVisitor mv, Map<String, String> replaced) {
            super(Opcodes.ASM9, mv);
            this.replaced = replaced;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            String bridge = replaced.get(owner + "." + name + desc);
            if (bridge == null) {
                super.visitMethodInsn(opcode, owner, name, desc, itf);
                return;
            }
            boolean filter = bridge.startsWith("+");
            if (filter) { // keep the call, pass its result through the bridge
                super.visitMethodInsn(opcode, owner, name, desc, itf);
                bridge = bridge.substring(1);
            }
            int paren = bridge.indexOf('(');
            String bridgeDesc = bridge.substring(paren);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, bridge.substring(0, paren), bridgeDesc, false);
            Type wanted = Type.getReturnType(desc);
            if (filter && !wanted.equals(Type.getReturnType(bridgeDesc))) {
                super.visitTypeInsn(Opcodes.CHECKCAST, wanted.getInternalName()); // the bridge knows JDK types only
            }
        }
    }

    /**
     * Computes frames for java.base classes: common super classes are resolved through the boot loader,
     * never through the agent's loader (which may not see, or may wrongly load, the types involved).
     */
    private static final class BootClassWriter extends ClassWriter {
        BootClassWriter(ClassReader reader) {
            super(reader, ClassWriter.COMPUTE_FRAMES);
        }

        @Override
        protected String getCommonSuperClass(String a, String b) {
            try {
                Class<?> ca = Class.forName(a.replace('/', '.'), false, null);
                Class<?> cb = Class.forName(b.replace('/', '.'), false, null);
                if (ca.isAssignableFrom(cb)) {
                    return a;
                }
                if (cb.isAssignableFrom(ca)) {
                    return b;
                }
                if (ca.isInterface() || cb.isInterface()) {
                    return "java/lang/Object";
                }
                do {
                    ca = ca.getSuperclass();
                } while (!ca.isAssignableFrom(cb));
                return Type.getInternalName(ca);
            } catch (ClassNotFoundException e) {
                return "java/lang/Object";
            }
        }
    }
}
