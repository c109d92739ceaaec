package io.coio.agent.internal;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the JDK methods that hand out stack traces as arrays so that a converted app thread's trace ends at its
 * {@code Thread.run}, as a platform thread's does: before each {@code return trace},
 * {@code trace = CoioBridge.endAtThreadRun(trace)}, which drops the coroutine's own frames below it (coio's
 * conversion, then {@code VirtualThread.run}) and leaves every other trace alone. {@code StackTraceElement.of(
 * StackTraceElement[])} is where every {@code Throwable}'s trace and a running thread's {@code getStackTrace()}
 * are made; {@code VirtualThread.asyncGetStackTrace()} is a parked coroutine's (an app thread's
 * {@code getStackTrace()} from outside is forwarded to its coroutine). {@code StackWalker} still walks them.
 *
 * <p>Which methods: {@link JdkRewriter#STACK_TRACE_METHODS}. Threads: used by the thread that rewrites the class.
 */
final class StackTraceEnd extends MethodVisitor {
    private static final String ARRAY = "[Ljava/lang/StackTraceElement;";

    StackTraceEnd(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
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
