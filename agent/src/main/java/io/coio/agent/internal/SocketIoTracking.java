package io.coio.agent.internal;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.AdviceAdapter;

/**
 * The prologue and epilogue that let coio skip a {@code java.net.Socket} read or write that must fail, in
 * {@code NioSocketImpl.tryRead(FileDescriptor fd, byte[] b, int off, int len)} and {@code tryWrite} (same shape).
 * Those two are the socket's non-blocking attempts; the JDK parks whenever they return "would block", which is
 * what makes skipping safe (a non-blocking {@code SocketChannel} read must not be skipped: its caller may spin on
 * a selector instead of parking). Java equivalent of the rewritten method:
 * <pre>
 *   int fdVal = fdVal(fd);
 *   int edges = CoioBridge.beforeSocketIo(fd, fdVal, WRITE);
 *   if (edges == -1) return IOStatus.UNAVAILABLE;        // drained, no edge since: parks at once
 *   int done = CoioBridge.socketIoOnHeap(edges, fdVal, WRITE, b, off, len); // tracked: recv/send on the array
 *   if (done != CoioBridge.NOT_DONE) return done;        // (already recorded as the epilogue would)
 *   ... original body, each {@code return n} becoming
 *   return CoioBridge.afterSocketIo(n, fdVal, WRITE, edges, len);
 * </pre>
 * Threads: used by {@link JdkRewriter#transform}, one instance per rewritten method.
 */
final class SocketIoTracking extends AdviceAdapter {
    static final String TRY_READ = "tryRead(Ljava/io/FileDescriptor;[BII)I";
    static final String TRY_WRITE = "tryWrite(Ljava/io/FileDescriptor;[BII)I";
    /** {@code sun.nio.ch.IOStatus.UNAVAILABLE}. */
    private static final int UNAVAILABLE = -2;
    /** {@code CoioBridge.NOT_DONE}. */
    private static final int NOT_DONE = Integer.MIN_VALUE;
    /** {@code Hooks.SKIP}. */
    private static final int SKIP = -1;
    /** Argument index of {@code len} (after fd, b, off). */
    private static final int LEN_ARG = 3;

    private final String owner;
    private final boolean write;
    private int fdVal;
    private int edges;

    SocketIoTracking(MethodVisitor mv, int access, String owner, String name, String desc) {
        super(Opcodes.ASM9, mv, access, name, desc);
        this.owner = owner;
        this.write = (name + desc).equals(TRY_WRITE);
    }

    /** Whether {@code nameAndDesc} of {@code NioSocketImpl} gets this rewrite. */
    static boolean tracks(String nameAndDesc) {
        return nameAndDesc.equals(TRY_READ) || nameAndDesc.equals(TRY_WRITE);
    }

    @Override
    protected void onMethodEnter() {
        loadArg(0);
        mv.visitMethodInsn(INVOKESTATIC, owner, "fdVal", "(Ljava/io/FileDescriptor;)I", false);
        fdVal = newLocal(Type.INT_TYPE);
        storeLocal(fdVal);
        loadArg(0);
        loadLocal(fdVal);
        push(write);
        mv.visitMethodInsn(INVOKESTATIC, JdkRewriter.BRIDGE, "beforeSocketIo", "(Ljava/lang/Object;IZ)I", false);
        edges = newLocal(Type.INT_TYPE);
        storeLocal(edges);
        loadLocal(edges);
        push(SKIP);
        Label proceed = new Label();
        mv.visitJumpInsn(IF_ICMPNE, proceed);
        push(UNAVAILABLE);
        mv.visitInsn(IRETURN); // straight to the next visitor: not an exit that onMethodExit wraps
        mv.visitLabel(proceed);
        loadLocal(edges);
        loadLocal(fdVal);
        push(write);
        loadArg(1);
        loadArg(2);
        loadArg(LEN_ARG);
        mv.visitMethodInsn(INVOKESTATIC, JdkRewriter.BRIDGE, "socketIoOnHeap", "(IIZ[BII)I", false);
        mv.visitInsn(DUP);
        push(NOT_DONE);
        Label jdkBody = new Label();
        mv.visitJumpInsn(IF_ICMPEQ, jdkBody);
        mv.visitInsn(IRETURN); // done by coio, already recorded: not wrapped by onMethodExit either
        mv.visitLabel(jdkBody);
        mv.visitInsn(POP);
    }

    @Override
    protected void onMethodExit(int opcode) {
        if (opcode != IRETURN) {
            return; // ATHROW: nothing learned
        }
        loadLocal(fdVal);
        push(write);
        loadLocal(edges);
        loadArg(LEN_ARG);
        mv.visitMethodInsn(INVOKESTATIC, JdkRewriter.BRIDGE, "afterSocketIo", "(IIZII)I", false);
    }
}
