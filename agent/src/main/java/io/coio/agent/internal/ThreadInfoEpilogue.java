package io.coio.agent.internal;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites {@code ThreadMXBean.getThreadInfo(long[] ids, ...)} ({@code sun.management.ThreadImpl}): before each
 * {@code return infos}, {@code infos = (ThreadInfo[]) CoioBridge.withAppThreadInfo(infos, ids, maxDepth)}. The JVM
 * answers null for the id of a converted app thread (it has no OS thread of its own), though
 * {@code getAllThreadIds} lists it; the bridge fills those in ({@link ThreadListing#withInfosByIds}), so that a
 * monitor that asks for the infos of all ids (Micrometer's thread-state gauges, JConsole) sees the app's threads.
 * The single-id variants call these.
 *
 * <p>Threads: used by the thread that rewrites the class.
 */
final class ThreadInfoEpilogue extends MethodVisitor {
    private final int maxDepthSlot;

    ThreadInfoEpilogue(MethodVisitor mv, String method) {
        super(Opcodes.ASM9, mv);
        this.maxDepthSlot = JdkRewriter.THREAD_INFO_METHODS.get(method);
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode == Opcodes.ARETURN) {
            super.visitVarInsn(Opcodes.ALOAD, 1); // ids (the methods are instance methods: slot 0 is this)
            if (maxDepthSlot < 0) {
                super.visitLdcInsn(Integer.MAX_VALUE);
            } else {
                super.visitVarInsn(Opcodes.ILOAD, maxDepthSlot);
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, JdkRewriter.BRIDGE, "withAppThreadInfo",
                    "([Ljava/lang/Object;[JI)[Ljava/lang/Object;", false);
            super.visitTypeInsn(Opcodes.CHECKCAST, "[Ljava/lang/management/ThreadInfo;");
        }
        super.visitInsn(opcode);
    }
}
