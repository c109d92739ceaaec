package io.coio.agent.internal;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Rewrites app classes so that {@code Thread.currentThread()} answers the app's own {@code Thread} object
 * inside a converted thread: every call of {@code java/lang/Thread.currentThread()} (and every
 * {@code Thread::currentThread} method reference) in a class loaded by an app class loader becomes
 * {@code java.lang.CoioThreads.currentThread()}, which answers exactly as before on any other thread.
 * {@code Thread.currentThread()} is a JVM intrinsic of the running (virtual) thread and cannot itself
 * be redirected; the call sites can. This is what makes {@code ((Worker) Thread.currentThread()).field},
 * {@code currentThread() == this} and "remove the current thread from my set" work in unmodified apps.
 *
 * <p>Classes of the JDK (boot and platform loaders) and of coio itself are left alone. The rewrite edits the
 * constant pool only ({@link CurrentThreadRedirect}): a server loads thousands of classes, and each costs one pass
 * over its constant pool; a class that does not call the method is returned untouched, no class-file parser runs.
 *
 * <p>Threads: any (called by the JVM's class loading on any thread); stateless.
 */
final class AppThreadCalls implements ClassFileTransformer {
    static final String APP_CURRENT_THREAD_OWNER = JdkBridge.APP_THREADS_AS;

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain pd, byte[] classfile) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader() || className == null
                || isCoio(className)) {
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
        return CurrentThreadRedirect.redirect(classfile, APP_CURRENT_THREAD_OWNER);
    }

    private static boolean isCoio(String internalName) {
        return internalName.startsWith("io/coio/") && ThreadConversion.isCoioInternal(internalName.replace('/', '.'));
    }
}
