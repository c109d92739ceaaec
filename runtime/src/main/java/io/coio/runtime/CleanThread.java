package io.coio.runtime;

/**
 * coio's own platform threads (the spare loop threads, the watchdog, {@code coio-link}) are made clean whatever
 * thread asks for one — often a coroutine, whose context must not leak into them: daemon, no inherited
 * thread-locals, the system class loader as context class loader, coio's thread group.
 *
 * <p>Threads: any.
 */
final class CleanThread {
    private CleanThread() {
    }

    /** A clean, not yet started platform thread named {@code name} in {@code group} that runs {@code task}. */
    static Thread unstarted(ThreadGroup group, String name, Runnable task) {
        Thread t = Thread.ofPlatform().group(group).daemon(true).inheritInheritableThreadLocals(false).name(name)
                .unstarted(task);
        t.setContextClassLoader(ClassLoader.getSystemClassLoader());
        return t;
    }
}
