package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.AdviceAdapter;

/**
 * The prologue and epilogue around a file I/O method ({@link HandOffPoints#isFileIo}): the call is marked as in
 * progress on its carrier's loop thread, and the carrier's watchdog hands the loop off only if it lasts (deferred
 * hand-off, {@code io.coio.runtime.DeferredHandOff}); the mark ends on every way out, returns and throws alike.
 * Java equivalent of the rewritten method:
 * <pre>
 *   long mark = CoioBridge.beforeFileIo();
 *   try {
 *       ... original body ...
 *   } finally {
 *       CoioBridge.afterFileIo(mark);
 *   }
 * </pre>
 * Threads: used by {@link JdkRewriter#transform}, one instance per rewritten method.
 */
final class FileIoSpan extends AdviceAdapter {
    private final Label start = new Label();
    /** The watched row of this method (coroutine mode with {@code report=all}), or null. */
    private final BlockingCalls.Call watched;
    private int mark;

    FileIoSpan(MethodVisitor mv, int access, String name, String desc, BlockingCalls.Call watched) {
        super(Opcodes.ASM9, mv, access, name, desc);
        this.watched = watched;
    }

    @Override
    protected void onMethodEnter() {
        if (watched != null) {
            Prologues.watched(mv, watched); // the report of a blocking call comes first, as in other watched methods
        }
        mv.visitMethodInsn(INVOKESTATIC, JdkRewriter.BRIDGE, "beforeFileIo", "()J", false);
        mark = newLocal(Type.LONG_TYPE);
        storeLocal(mark);
        mv.visitLabel(start);
    }

    @Override
    protected void onMethodExit(int opcode) {
        if (opcode != ATHROW) { // a throw inside the body reaches the handler below
            end();
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        Label handler = new Label();
        mv.visitTryCatchBlock(start, handler, handler, null); // after the body's own handlers: they are tried first
        mv.visitLabel(handler);
        end();
        mv.visitInsn(ATHROW);
        super.visitMaxs(maxStack, maxLocals);
    }

    private void end() {
        loadLocal(mark);
        mv.visitMethodInsn(INVOKESTATIC, JdkRewriter.BRIDGE, "afterFileIo", "(J)V", false);
    }
}
