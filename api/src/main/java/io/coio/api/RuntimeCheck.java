package io.coio.api;

/**
 * Checks once, before the API first touches coio's runtime, that the runtime is there and can reach the JDK
 * internals it needs; otherwise throws one {@link IllegalStateException} that names the fix.
 *
 * <p>Threads: any; the answer is computed at most a few times (racy but idempotent) and then cached.
 */
final class RuntimeCheck {
    static final String FIX = "Run under the coio agent (java -javaagent:coio-agent.jar ...), or put coio-runtime"
            + " (and Netty) on the class path and add --add-opens java.base/java.lang=ALL-UNNAMED"
            + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-exports java.base/jdk.internal.vm=ALL-UNNAMED";
    private static volatile boolean ok;

    private RuntimeCheck() {
    }

    static void require() {
        if (ok) {
            return;
        }
        ClassLoader loader = RuntimeCheck.class.getClassLoader();
        for (String name : new String[] {"io.coio.runtime.Explicit", "io.coio.runtime.ContinuationAccess",
                "io.coio.runtime.JdkInternals", "io.coio.runtime.NativePoll"}) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                throw new IllegalStateException("coio-api: coio's runtime is not on the class path (" + name
                        + " not found). " + FIX + ".", e);
            } catch (ExceptionInInitializerError e) {
                Throwable cause = e.getCause();
                throw new IllegalStateException("coio-api: " + (cause != null ? cause.getMessage() : e.toString()),
                        cause != null ? cause : e);
            }
        }
        ok = true;
    }
}
