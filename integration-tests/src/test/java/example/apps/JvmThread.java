package example.apps;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The thread the JVM runs the caller on, as a test's window on the mechanism. Under coio an app's
 * {@code Thread.currentThread()} answers the app's own {@code Thread} object (coio rewrites that call in
 * app classes), so an app cannot tell; a call through a method handle is not rewritten and shows the
 * coroutine (a virtual thread whose {@code toString} names its {@code coio-carrier-N}). No coio imports.
 */
public final class JvmThread {
    private static final MethodHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.publicLookup().findStatic(Thread.class, "currentThread",
                    MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private JvmThread() {
    }

    public static Thread current() {
        try {
            return (Thread) CURRENT.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code virtual=<b> coio=<b>} of the thread the JVM runs the caller on. */
    public static String kind() {
        Thread me = current();
        return "virtual=" + me.isVirtual() + " coio=" + me.toString().contains("@coio-carrier-");
    }
}
