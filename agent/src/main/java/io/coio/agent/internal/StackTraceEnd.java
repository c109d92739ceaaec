package io.coio.agent.internal;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.Map;
import java.util.Set;

/**
 * Rewrites the JDK methods that hand out stack traces as arrays so that a converted app thread's trace ends at its
 * {@code Thread.run}, as a platform thread's does: before each {@code return trace},
 * {@code trace = CoioBridge.endAtThreadRun(trace)}, which drops the coroutine's own frames below it (coio's
 * conversion, then {@code VirtualThread.run}) and leaves every other trace alone. {@code StackTraceElement.of(
 * StackTraceElement[])} is where every {@code Throwable}'s trace and a running thread's {@code getStackTrace()}
 * are made; {@code VirtualThread.asyncGetStackTrace()} is a parked coroutine's (an app thread's
 * {@code getStackTrace()} from outside is forwarded to its coroutine). {@code StackWalker} still walks them.
 *
 * <p>Threads: used by the thread that rewrites the class.
 */
final class StackTraceEnd extends MethodVisitor {
    static final String STACK_TRACE_ELEMENT = "java/lang/StackTraceElement";
    private static final String ARRAY = "[Ljava/lang/StackTraceElement;";
    /** Owner -> the methods (name + descriptor) rewritten. */
    static final Map<String, Set<String>> METHODS = Map.of(
            STACK_TRACE_ELEMENT, Set.of("of(" + ARRAY + ")" + ARRAY),
            JdkRewriter.VIRTUAL_THREAD, Set.of("asyncGetStackTrace()" + ARRAY));

    StackTraceEnd(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    static boolean rewrites(String owner, String method) {
        return METHODS.getOrDefault(owner, Set.of()).contains(method);
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode == Opcodes.ARETURN) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, JdkRewriter.BRIDGE, "endAtThreadRun",
                    "(" + ARRAY + ")" + ARRAY, false);
        }
        super.visitInsn(opcode);
    }
}
