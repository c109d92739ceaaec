package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import static io.coio.agent.internal.JdkRewriter.BRIDGE;
import static io.coio.agent.internal.JdkRewriter.CLOSE_FD;
import static io.coio.agent.internal.JdkRewriter.GET_STATE;
import static io.coio.agent.internal.JdkRewriter.LOCK_SUPPORT;
import static io.coio.agent.internal.JdkRewriter.POLLER;
import static io.coio.agent.internal.JdkRewriter.SCHEDULE;
import static io.coio.agent.internal.JdkRewriter.SET_INHERITABLE_THREAD_LOCALS;
import static io.coio.agent.internal.JdkRewriter.SET_THREAD_LOCALS;
import static io.coio.agent.internal.JdkRewriter.START_IN_CONTAINER;
import static io.coio.agent.internal.JdkRewriter.THREAD;
import static io.coio.agent.internal.JdkRewriter.UNIX_DISPATCHER;
import static io.coio.agent.internal.JdkRewriter.VIRTUAL_THREAD;

/**
 * The bytecode of each prologue {@link JdkRewriter} puts in front of a JDK method's own body: a call to the bootstrap
 * bridge and, where the bridge answers for the method, an early return. Which method gets which prologue is
 * {@link JdkRewriter}'s table; before/after Java for every one is in {@code agent/docs/how_it_works.md}.
 *
 * <p>Compiled for Java 17 with {@link JdkRewriter} (detect mode uses the watched prologue there). Stateless.
 */
final class Prologues {
    private Prologues() {
    }

    /** {@code jdk.internal.reflect.Reflection}: its {@code getCallerClass()} is the JVM's intrinsic, no stack walk. */
    private static final String REFLECTION = "jdk/internal/reflect/Reflection";
    /** The annotation that lets a JDK method call {@code Reflection.getCallerClass()} (the JVM checks it). */
    private static final String CALLER_SENSITIVE = "Ljdk/internal/reflect/CallerSensitive;";

    /**
     * Annotations a method's prologue needs, added before its code: {@code Thread.start()} and
     * {@code start(ThreadContainer)} ask {@code Reflection.getCallerClass()} for their caller, which the JVM answers only
     * in a {@code @CallerSensitive} method (an {@code InternalError} otherwise); the JVM honours the annotation in
     * java.base classes, so also in a redefined {@code Thread}. It replaces a stack walk per started thread (about 800
     * bytes of garbage on the starting thread: docs/benchmark.md, "Where the memory of an idle connection goes").
     */
    static void annotate(MethodVisitor mv, String owner, String name, String desc) {
        String key = owner + "." + name + desc;
        if (key.equals(THREAD + ".start()V") || key.equals(THREAD + "." + START_IN_CONTAINER)) {
            mv.visitAnnotation(CALLER_SENSITIVE, true).visitEnd();
        }
    }

    static void emit(MethodVisitor mv, String owner, String name, String desc) {
        if (HandOffPoints.prologue(mv, owner, name + desc)) {
            return;
        }
        switch (owner + "." + name + desc) {
            case POLLER + ".poll(IIJLjava/util/function/BooleanSupplier;)V" -> {
                mv.visitVarInsn(Opcodes.ILOAD, 0);
                mv.visitVarInsn(Opcodes.ILOAD, 1);
                mv.visitVarInsn(Opcodes.LLOAD, 2);
                mv.visitVarInsn(Opcodes.ALOAD, 4);
                returnIfTrue(mv, "poll", "(IIJLjava/util/function/BooleanSupplier;)Z");
            }
            case POLLER + ".pollSelector(IJ)V" -> {
                mv.visitVarInsn(Opcodes.ILOAD, 0);
                mv.visitVarInsn(Opcodes.LLOAD, 1);
                returnIfTrue(mv, "pollSelector", "(IJ)Z");
            }
            case POLLER + ".stopPoll(II)V" -> {
                mv.visitVarInsn(Opcodes.ILOAD, 0);
                mv.visitVarInsn(Opcodes.ILOAD, 1);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "stopPoll", "(II)V", false);
            }
            case UNIX_DISPATCHER + "." + CLOSE_FD -> { // CoioBridge.socketClosing(IOUtil.fdVal(fd)); then close0(fd)
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "sun/nio/ch/IOUtil", "fdVal", "(Ljava/io/FileDescriptor;)I", false);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "socketClosing", "(I)V", false);
            }
            case VIRTUAL_THREAD + ".parkOnCarrierThread(ZJ)V" -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "pinnedPark", "(Ljava/lang/Thread;)V", false);
            }
            case VIRTUAL_THREAD + "." + SCHEDULE -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitVarInsn(Opcodes.LLOAD, 2);
                mv.visitVarInsn(Opcodes.ALOAD, 4);
                returnIfNonNull(mv, "schedule",
                        "(Ljava/lang/Thread;Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;");
            }
            case THREAD + ".start()V", THREAD + "." + START_IN_CONTAINER -> { // the method is @CallerSensitive too
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, REFLECTION, "getCallerClass", "()Ljava/lang/Class;", false);
                returnIfTrue(mv, "threadStart", "(Ljava/lang/Thread;Ljava/lang/Class;)Z");
            }
            case THREAD + "." + GET_STATE -> { // a converted thread's state, as a platform thread would report it
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                returnIfNonNull(mv, "stateOf", "(Ljava/lang/Thread;)Ljava/lang/Thread$State;");
            }
            case THREAD + ".setName(Ljava/lang/String;)V" -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "renamed", "(Ljava/lang/Thread;Ljava/lang/String;)V", false);
            }
            case THREAD + "." + SET_THREAD_LOCALS, THREAD + "." + SET_INHERITABLE_THREAD_LOCALS -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitInsn(name.equals("setInheritableThreadLocals") ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "threadLocalsCreated",
                        "(Ljava/lang/Thread;Ljava/lang/Object;Z)V", false);
            }
            case THREAD + ".getAllThreads()[Ljava/lang/Thread;", THREAD + ".getAllStackTraces()Ljava/util/Map;" -> {
                returnIfNonNull(mv, name, "()" + Type.getReturnType(desc).getDescriptor());
            }
            case LOCK_SUPPORT + ".unpark(Ljava/lang/Thread;)V", LOCK_SUPPORT + ".getBlocker(Ljava/lang/Thread;)Ljava/lang/Object;" -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "running", "(Ljava/lang/Thread;)Ljava/lang/Thread;", false);
                mv.visitVarInsn(Opcodes.ASTORE, 0);
            }
            default -> delegateToShadow(mv, name, desc);
        }
    }

    /** {@code CoioBridge.blocking(<id>, <this or null>, <long argument or 0L>);} */
    static void watched(MethodVisitor mv, BlockingCalls.Call call) {
        mv.visitLdcInsn(call.id());
        if (call.passThis()) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
        } else {
            mv.visitInsn(Opcodes.ACONST_NULL);
        }
        if (call.longArgSlot() >= 0) {
            mv.visitVarInsn(Opcodes.LLOAD, call.longArgSlot());
        } else {
            mv.visitInsn(Opcodes.LCONST_0);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "blocking", "(ILjava/lang/Object;J)V", false);
    }

    /** {@code Object r = CoioBridge.<name>(args on stack); if (r != null) return r;} for a method returning a reference. */
    private static void returnIfNonNull(MethodVisitor mv, String bridgeMethod, String bridgeDesc) {
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, bridgeMethod, bridgeDesc, false);
        mv.visitInsn(Opcodes.DUP);
        Label original = new Label();
        mv.visitJumpInsn(Opcodes.IFNULL, original);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitLabel(original);
        mv.visitInsn(Opcodes.POP);
    }

    /** {@code if (CoioBridge.<name>(args on stack)) return;} for a void method. */
    private static void returnIfTrue(MethodVisitor mv, String bridgeMethod, String bridgeDesc) {
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, bridgeMethod, bridgeDesc, false);
        Label proceed = new Label();
        mv.visitJumpInsn(Opcodes.IFEQ, proceed);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(proceed);
    }

    /** {@code Thread s = CoioBridge.shadowOf(this); if (s != null) return s.<name>(args);} */
    private static void delegateToShadow(MethodVisitor mv, String name, String desc) {
        Type method = Type.getMethodType(desc);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "shadowOf", "(Ljava/lang/Thread;)Ljava/lang/Thread;", false);
        mv.visitInsn(Opcodes.DUP);
        Label original = new Label();
        mv.visitJumpInsn(Opcodes.IFNULL, original);
        int slot = 1;
        for (Type arg : method.getArgumentTypes()) {
            mv.visitVarInsn(arg.getOpcode(Opcodes.ILOAD), slot);
            slot += arg.getSize();
        }
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, THREAD, name, desc, false);
        mv.visitInsn(method.getReturnType().getOpcode(Opcodes.IRETURN));
        mv.visitLabel(original);
        mv.visitInsn(Opcodes.POP);
    }
}
