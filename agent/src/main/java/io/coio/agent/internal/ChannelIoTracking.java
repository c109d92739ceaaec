package io.coio.agent.internal;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * Skips a doomed syscall of a <em>blocking</em> {@code SocketChannel} the way {@link SocketIoTracking} does for
 * {@code java.net.Socket}: in {@code SocketChannelImpl.implRead(ByteBuffer)} and {@code implWrite(ByteBuffer)} the call
 * each call {@code IOUtil.read/write(fd, buf, -1, nd)} (the first attempt, and the one after each park) is wrapped. In blocking mode the JDK parks whenever that call answers
 * "would block" (and tries again), which is what makes skipping safe; a non-blocking channel's attempt is never
 * tracked nor skipped (its caller may go to a selector, or spin, instead of parking). Java equivalent of each wrapped
 * call:
 * <pre>
 *   int edges = isBlocking() ? CoioBridge.beforeSocketIo(fd, fdVal, WRITE) : 0;
 *   int n;
 *   if (edges == -1) {
 *       n = IOStatus.UNAVAILABLE;                       // drained (full), no edge since: parks at once
 *   } else {
 *       int len = buf.remaining();
 *       n = CoioBridge.afterSocketIo(IOUtil.read(fd, buf, -1, nd), fdVal, WRITE, edges, len);
 *   }
 * </pre>
 * The channel's blocking mode cannot change during the call: {@code configureBlocking} takes the read and write
 * locks that {@code implRead}/{@code implWrite} hold. Threads: used by {@link JdkRewriter#transform}, one instance
 * per rewritten method.
 */
final class ChannelIoTracking extends GeneratorAdapter {
    static final String IMPL_READ = "implRead(Ljava/nio/ByteBuffer;)I";
    static final String IMPL_WRITE = "implWrite(Ljava/nio/ByteBuffer;)I";
    private static final String IOUTIL = "sun/nio/ch/IOUtil";
    private static final String IO_DESC = "(Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;JLsun/nio/ch/NativeDispatcher;)I";
    /** {@code sun.nio.ch.IOStatus.UNAVAILABLE}. */
    private static final int UNAVAILABLE = -2;
    /** {@code Hooks.SKIP}. */
    private static final int SKIP = -1;

    private final String owner;
    private final boolean write;
    /** How many IOUtil calls were wrapped (JDK 25: two, the first attempt and the one after each park). */
    private int wrapped;

    ChannelIoTracking(MethodVisitor mv, int access, String owner, String name, String desc) {
        super(Opcodes.ASM9, mv, access, name, desc);
        this.owner = owner;
        this.write = (name + desc).equals(IMPL_WRITE);
    }

    /** Whether {@code nameAndDesc} of {@code SocketChannelImpl} gets this rewrite. */
    static boolean tracks(String nameAndDesc) {
        return nameAndDesc.equals(IMPL_READ) || nameAndDesc.equals(IMPL_WRITE);
    }

    @Override
    public void visitMethodInsn(int opcode, String callOwner, String name, String desc, boolean itf) {
        if (opcode != Opcodes.INVOKESTATIC || !callOwner.equals(IOUTIL) || !name.equals(write ? "write" : "read")
                || !desc.equals(IO_DESC)) {
            super.visitMethodInsn(opcode, callOwner, name, desc, itf);
            return;
        }
        wrapped++;
        // The arguments are on the stack: keep them in new locals.
        int nd = newLocal(Type.getObjectType("sun/nio/ch/NativeDispatcher"));
        storeLocal(nd);
        int position = newLocal(Type.LONG_TYPE);
        storeLocal(position);
        int buf = newLocal(Type.getObjectType("java/nio/ByteBuffer"));
        storeLocal(buf);
        int fd = newLocal(Type.getObjectType("java/io/FileDescriptor"));
        storeLocal(fd);
        int edges = newLocal(Type.INT_TYPE);
        int len = newLocal(Type.INT_TYPE);
        Label attempt = new Label();
        Label done = new Label();
        push(0);
        storeLocal(edges);
        loadThis();
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, owner, "isBlocking", "()Z", false);
        mv.visitJumpInsn(Opcodes.IFEQ, attempt); // non-blocking: never tracked, never skipped
        loadLocal(fd);
        loadThis();
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, "fdVal", "I");
        push(write);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, JdkRewriter.BRIDGE, "beforeSocketIo", "(Ljava/lang/Object;IZ)I", false);
        storeLocal(edges);
        loadLocal(edges);
        push(SKIP);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, attempt);
        push(UNAVAILABLE);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(attempt);
        loadLocal(buf);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/nio/ByteBuffer", "remaining", "()I", false);
        storeLocal(len);
        loadLocal(fd);
        loadLocal(buf);
        loadLocal(position);
        loadLocal(nd);
        super.visitMethodInsn(opcode, callOwner, name, desc, itf);
        loadThis();
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, "fdVal", "I");
        push(write);
        loadLocal(edges);
        loadLocal(len);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, JdkRewriter.BRIDGE, "afterSocketIo", "(IIZII)I", false);
        mv.visitLabel(done);
    }

    @Override
    public void visitEnd() {
        if (wrapped == 0) {
            throw new IllegalStateException("expected IOUtil." + (write ? "write" : "read") + IO_DESC + " calls in "
                    + owner + ", found none");
        }
        super.visitEnd();
    }
}
