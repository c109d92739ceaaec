package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the JDK's choke points so that they consult coio first — the Java analogue of libco's
 * strong-symbol hooks. Each rewrite is a prologue; the original body follows untouched. Before/after Java
 * for every one is in {@code agent/docs/how_it_works.md}.
 *
 * <ul>
 *   <li>{@code sun.nio.ch.Poller.poll(fd, event, nanos, isOpen)}: {@code if (CoioBridge.poll(...)) return;}
 *   <li>{@code Poller.pollSelector(fd, nanos)}: {@code if (CoioBridge.pollSelector(...)) return;}
 *   <li>{@code Poller.stopPoll(fd, event)}: {@code CoioBridge.stopPoll(fd, event);} then the JDK's own
 *       ({@code stopPoll(fd)} calls it for both directions)
 *   <li>{@code VirtualThread.parkOnCarrierThread(timed, nanos)}: {@code CoioBridge.pinnedPark(this);}
 *   <li>{@code VirtualThread.schedule(task, delay, unit)} (timed park, sleep, timed wait):
 *       {@code Future<?> f = CoioBridge.schedule(this, task, delay, unit); if (f != null) return f;}
 *   <li>{@code Thread.start()} and {@code Thread.start(ThreadContainer)}: {@code if (CoioBridge.threadStart(this)) return;}
 *   <li>{@code Thread.isAlive/join(long)/join(Duration)/getState/interrupt/isInterrupted/getStackTrace}:
 *       {@code Thread s = CoioBridge.shadowOf(this); if (s != null) return s.same(args);}
 *   <li>hand-offs ({@link HandOffPoints}): {@code jdk.internal.misc.Blocker.begin()}, the platform DNS resolver and
 *       the file I/O methods: {@code CoioBridge.beforeBlocking(<cause>);} ; {@code Object.wait(long)}:
 *       {@code CoioBridge.beforeWait();}
 *   <li>each watched blocking method of {@link BlockingCalls} (detect mode, coroutine mode's {@code report=all}):
 *       {@code CoioBridge.blocking(<row id>, <this or null>, <its long argument or 0L>);}
 * </ul>
 * Which of these a rewriter adds is fixed at construction: the coroutine hooks, the watched methods, or both.
 */
final class JdkRewriter implements ClassFileTransformer {
    static final String POLLER = "sun/nio/ch/Poller";
    static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    static final String THREAD = "java/lang/Thread";
    /** Where the bridge lives once injected into java.base. */
    static final String BRIDGE = "sun/nio/ch/CoioBridge";

    /** How JDK thread containers start threads (ThreadPoolExecutor workers since JDK 21); start() does not call it. */
    private static final String START_IN_CONTAINER = "start(Ljdk/internal/vm/ThreadContainer;)V";
    private static final String SCHEDULE =
            "schedule(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;";

    /** Thread methods that a converted app thread forwards to its coroutine: name + descriptor. */
    private static final Set<String> DELEGATED = Set.of(
            "isAlive()Z",
            "join(J)V",
            "join(Ljava/time/Duration;)Z",
            "getState()Ljava/lang/Thread$State;",
            "interrupt()V",
            "isInterrupted()Z",
            "getStackTrace()[Ljava/lang/StackTraceElement;");

    private static final Map<String, Set<String>> TARGETS = HandOffPoints.addTo(Map.of(
            POLLER, Set.of("poll(IIJLjava/util/function/BooleanSupplier;)V", "pollSelector(IJ)V", "stopPoll(II)V"),
            VIRTUAL_THREAD, Set.of("parkOnCarrierThread(ZJ)V", SCHEDULE),
            THREAD, union(DELEGATED, "start()V", START_IN_CONTAINER)));

    /** Binary names of the classes that get coroutine-mode hooks (the installer retransforms the loaded ones). */
    static Set<String> coroutineHookClasses() {
        Set<String> names = new HashSet<>();
        for (String owner : TARGETS.keySet()) {
            names.add(owner.replace('/', '.'));
        }
        return names;
    }

    private final boolean coroutineHooks;
    /** owner -> (name + desc -> watched row). */
    private final Map<String, Map<String, BlockingCalls.Call>> watched;

    /** The coroutine-mode hooks only. */
    JdkRewriter() {
        this(true, List.of());
    }

    /** @param coroutineHooks add the Poller/VirtualThread/Thread hooks; {@code watched}: blocking methods to watch */
    JdkRewriter(boolean coroutineHooks, Collection<BlockingCalls.Call> watched) {
        this.coroutineHooks = coroutineHooks;
        this.watched = BlockingCalls.byOwner(watched);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain pd, byte[] classfile) {
        if (loader != null) {
            return null;
        }
        Set<String> hooks = coroutineHooks ? TARGETS.get(className) : null;
        Map<String, BlockingCalls.Call> calls = watched.get(className);
        if (hooks == null && calls == null) {
            return null;
        }
        Set<String> methods = new HashSet<>();
        if (hooks != null) {
            methods.addAll(hooks);
        }
        if (calls != null) {
            methods.addAll(calls.keySet());
        }
        try {
            Set<String> found = new HashSet<>();
            byte[] rewritten = rewrite(className, methods, hooks == null ? Set.of() : hooks,
                    calls == null ? Map.of() : calls, classfile, found);
            if (calls != null) {
                for (BlockingCalls.Call c : calls.values()) {
                    if (!found.contains(c.name() + c.desc())) {
                        System.err.println("coio: cannot watch " + c.display() + " on this JDK (" + c.className()
                                + "." + c.name() + c.desc() + " not found); such calls are not reported.");
                    }
                }
            }
            return rewritten;
        } catch (Throwable t) {
            // Never break the JVM: leave the class as it is; the installer's self-check reports the gap.
            System.err.println("coio: could not rewrite " + className.replace('/', '.') + ": " + t);
            return null;
        }
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
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        if (call != null) {
                            watchedPrologue(mv, call);
                        }
                        if (hooks.contains(key)) {
                            prologue(mv, className, name, desc);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    private static void prologue(MethodVisitor mv, String owner, String name, String desc) {
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
            case VIRTUAL_THREAD + ".parkOnCarrierThread(ZJ)V" -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "pinnedPark", "(Ljava/lang/Thread;)V", false);
            }
            case VIRTUAL_THREAD + "." + SCHEDULE -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitVarInsn(Opcodes.ALOAD, 1);
                mv.visitVarInsn(Opcodes.LLOAD, 2);
                mv.visitVarInsn(Opcodes.ALOAD, 4);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "schedule",
                        "(Ljava/lang/Thread;Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/Future;",
                        false);
                mv.visitInsn(Opcodes.DUP);
                Label original = new Label();
                mv.visitJumpInsn(Opcodes.IFNULL, original);
                mv.visitInsn(Opcodes.ARETURN);
                mv.visitLabel(original);
                mv.visitInsn(Opcodes.POP);
            }
            case THREAD + ".start()V", THREAD + "." + START_IN_CONTAINER -> {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                returnIfTrue(mv, "threadStart", "(Ljava/lang/Thread;)Z");
            }
            default -> delegateToShadow(mv, name, desc);
        }
    }

    /** {@code CoioBridge.blocking(<id>, <this or null>, <long argument or 0L>);} */
    private static void watchedPrologue(MethodVisitor mv, BlockingCalls.Call call) {
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

    private static Set<String> union(Set<String> a, String... more) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(java.util.List.of(more));
        return Set.copyOf(s);
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
