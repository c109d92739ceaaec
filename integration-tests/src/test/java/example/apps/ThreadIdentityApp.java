package example.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The parts of the Thread contract that depend on which Thread object the running code sees: identity,
 * subclass fields, unpark by reference, what child threads inherit, platform interrupt semantics of
 * socket I/O, context class loader, thread-locals, stack traces and thread enumeration. Prints one
 * {@code CHECK <name> <observed>} per property; each answer is the same on platform threads and under
 * coio. {@code CHECK kind ...} says what the JVM really runs the threads on. No coio imports. Ends with
 * {@code DONE}.
 */
public final class ThreadIdentityApp {
    private static final InheritableThreadLocal<String> INHERITED = new InheritableThreadLocal<>();
    private static final ThreadLocal<String> LOCAL = new ThreadLocal<>();

    public static void main(String[] args) throws Exception {
        defaultNames(); // first: the numbering of the app's unnamed threads and pools starts where the JDK's does
        run("kind", () -> JvmThread.kind());
        run("identity", () -> {
            AtomicReference<Thread> seen = new AtomicReference<>();
            Thread t = new Thread(() -> seen.set(Thread.currentThread()));
            join(t);
            return (seen.get() == t) + " sameId=" + (seen.get().threadId() == t.threadId());
        });
        java.util.function.Supplier<Thread> ref = Thread::currentThread;
        check("methodReference", onNewThread(ref::get));
        subclassFields();
        unparkByReference();
        childInheritsFromParent(false, Thread.MAX_PRIORITY);
        childInheritsFromParent(true, Thread.MIN_PRIORITY);
        socketReadSurvivesInterrupt();
        contextClassLoaderSeenByJdkCode();
        threadLocalsAndInheritance();
        stackTraces();
        enumeration();
        threadMXBean();
        poolHooksSeeWorkerThread();
        run("holdsLock", () -> {
            Object lock = new Object();
            synchronized (lock) {
                return Thread.holdsLock(lock) + " " + Thread.holdsLock(new Object());
            }
        });
        run("defaultThreadFactoryGroup", () -> {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                return pool.submit(() -> Thread.currentThread().getThreadGroup().getName()).get(10, TimeUnit.SECONDS);
            } finally {
                pool.shutdown();
            }
        });
        System.out.println("DONE");
    }

    private static void defaultNames() throws Exception {
        String thread = new Thread(() -> { }).getName();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            check("defaultNames", thread + " " + pool.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdown();
        }
    }

    static final class Worker extends Thread {
        final int field;
        volatile String seen;

        Worker(int field) {
            this.field = field;
        }

        @Override
        public void run() {
            Thread me = Thread.currentThread();
            seen = (me instanceof Worker w ? "field=" + w.field : "not a Worker: " + me.getClass().getName())
                    + " self=" + (me == this) + " traceEndsAt=" + last(new Exception().getStackTrace());
        }
    }

    private static void subclassFields() throws InterruptedException {
        Worker w = new Worker(42);
        join(w);
        check("subclass", w.seen);
    }

    /** A hand-written synchronizer: the waiter parks until another thread unparks it by its Thread reference. */
    private static void unparkByReference() throws InterruptedException {
        AtomicBoolean go = new AtomicBoolean();
        AtomicReference<Thread> registered = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            registered.set(Thread.currentThread());
            while (!go.get()) {
                LockSupport.park();
            }
        });
        waiter.start();
        awaitState(waiter, Thread.State.WAITING);
        go.set(true);
        LockSupport.unpark(registered.get());
        waiter.join(10_000);
        check("unpark", "alive=" + waiter.isAlive() + " blockerSeen=" + (registered.get() == waiter));
    }

    /** A thread started inside an app thread inherits daemon status, priority, group and thread-locals from it. */
    private static void childInheritsFromParent(boolean daemon, int priority) throws InterruptedException {
        AtomicReference<String> child = new AtomicReference<>();
        Thread parent = new Thread(() -> {
            INHERITED.set("set-inside-parent");
            Thread c = new Thread(() -> child.set(INHERITED.get()));
            String props = "daemon=" + c.isDaemon() + " priority=" + c.getPriority() + " group=" + c.getThreadGroup().getName();
            try {
                join(c);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            child.set(props + " inherited=" + child.get());
        });
        parent.setDaemon(daemon);
        parent.setPriority(priority);
        join(parent);
        check("child.daemon" + daemon, child.get());
    }

    /**
     * On a platform thread, interrupting a thread blocked in a socket read neither wakes nor closes it:
     * the read goes on, returns the data that arrives later, and the interrupt status stays set.
     */
    private static void socketReadSurvivesInterrupt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket peer = server.accept()) {
            AtomicReference<String> outcome = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = client.getInputStream();
                    byte[] b = new byte[5];
                    int n = in.readNBytes(b, 0, 5);
                    outcome.set("read=" + new String(b, 0, n, StandardCharsets.US_ASCII)
                            + " interrupted=" + Thread.currentThread().isInterrupted() + " closed=" + client.isClosed());
                } catch (IOException e) {
                    outcome.set(e.toString());
                }
            });
            reader.start();
            awaitBlockedInRead(reader);
            Thread.State inRead = reader.getState();
            reader.interrupt();
            reader.join(300); // a platform thread stays blocked: the read is not woken by the interrupt
            String during = "stateInRead=" + inRead + " aliveAfterInterrupt=" + reader.isAlive();
            OutputStream out = peer.getOutputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            reader.join(10_000);
            check("socketInterrupt", during + " " + outcome.get());
        }
    }

    /** JDK code (ServiceLoader) finds resources through the context class loader the app set on its thread. */
    private static void contextClassLoaderSeenByJdkCode() throws InterruptedException {
        AtomicBoolean asked = new AtomicBoolean();
        ClassLoader recording = new ClassLoader(ThreadIdentityApp.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                if (name.contains("example.apps.ThreadIdentityApp")) {
                    asked.set(true);
                    return Collections.emptyEnumeration();
                }
                return super.getResources(name);
            }
        };
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Thread.currentThread().setContextClassLoader(recording);
            ServiceLoader.load(ThreadIdentityApp.class).findFirst();
            seen.set("jdkUsedIt=" + asked.get());
        });
        join(t);
        check("contextClassLoader", seen.get() + " visibleOnThread=" + (t.getContextClassLoader() == recording));
    }

    private static void threadLocalsAndInheritance() throws InterruptedException {
        LOCAL.set("main-value");
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            String before = LOCAL.get();
            LOCAL.set("inner");
            seen.set("before=" + before + " after=" + LOCAL.get());
        });
        join(t);
        check("threadLocal", seen.get() + " mainKept=" + LOCAL.get());
    }

    private static void stackTraces() throws InterruptedException {
        AtomicReference<String> inside = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            StackTraceElement[] st = Thread.currentThread().getStackTrace();
            StackTraceElement[] thrown = new IllegalStateException("x").getStackTrace();
            inside.set(st[0].getMethodName() + " callerIsLambda=" + st[1].getMethodName().startsWith("lambda$stackTraces")
                    + " endsAt=" + last(st) + " thrownEndsAt=" + last(thrown) + " thrownDepth=" + thrown.length);
            awaitQuietly(release);
        });
        t.start();
        awaitState(t, Thread.State.WAITING);
        StackTraceElement[] outside = t.getStackTrace();
        boolean outsideShowsWait = Arrays.stream(outside).anyMatch(e -> e.getMethodName().equals("awaitQuietly"));
        boolean inAll = Thread.getAllStackTraces().containsKey(t);
        release.countDown();
        t.join(10_000);
        check("stackTrace", "inside=" + inside.get() + " outsideShowsWait=" + outsideShowsWait
                + " outsideEndsAt=" + last(outside) + " inGetAllStackTraces=" + inAll);
    }

    /** A trace's last frame, as class.method: a thread's ends at Thread.run. */
    private static String last(StackTraceElement[] trace) {
        StackTraceElement e = trace[trace.length - 1];
        return e.getClassName() + "." + e.getMethodName();
    }

    private static void enumeration() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> awaitQuietly(release), "enumerated-worker");
        t.start();
        awaitState(t, Thread.State.WAITING);
        Thread[] all = new Thread[Thread.currentThread().getThreadGroup().activeCount() + 16];
        int n = Thread.currentThread().getThreadGroup().enumerate(all);
        boolean found = Arrays.asList(all).subList(0, n).contains(t);
        release.countDown();
        t.join(10_000);
        check("enumerate", "inMainGroup=" + found);
    }

    /** A body run on a new app thread; what it throws is reported as its result. */
    interface Body {
        Object get() throws Exception;
    }

    /** Monitoring (JMX, Spring's thread dump, thread-count metrics) sees the app's threads and what they wait on. */
    private static void threadMXBean() throws InterruptedException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        int before = mx.getThreadCount();
        CountDownLatch release = new CountDownLatch(1);
        Thread[] blocked = new Thread[5];
        for (int i = 0; i < blocked.length; i++) {
            blocked[i] = new Thread(() -> awaitQuietly(release), "mx-worker-" + i);
            blocked[i].start();
        }
        for (Thread t : blocked) {
            awaitState(t, Thread.State.WAITING);
        }
        int grew = mx.getThreadCount() - before;
        long id = blocked[0].threadId();
        boolean idListed = Arrays.stream(mx.getAllThreadIds()).anyMatch(x -> x == id);
        String dumped = Arrays.stream(mx.dumpAllThreads(false, false))
                .filter(i -> i.getThreadId() == id)
                .map(i -> i.getThreadName() + " " + i.getThreadState() + " on " + String.valueOf(i.getLockName()).replaceAll("@.*", "")
                        + " stackHasAwait=" + Arrays.stream(i.getStackTrace()).anyMatch(e -> e.getMethodName().equals("await")))
                .findFirst().orElse("not in dumpAllThreads");
        java.lang.management.ThreadInfo one = mx.getThreadInfo(id);
        String byId = one == null ? "null" : one.getThreadName() + " " + one.getThreadState() + " stackEmpty="
                + (one.getStackTrace().length == 0);
        java.lang.management.ThreadInfo deep = mx.getThreadInfo(new long[] {id}, 3)[0];
        String byIdDepth3 = deep == null ? "null" : deep.getThreadState() + " frames=" + deep.getStackTrace().length;
        java.lang.management.ThreadInfo locks = mx.getThreadInfo(new long[] {id}, false, false)[0];
        String byIdFull = locks == null ? "null" : locks.getThreadName() + " stackHasAwait="
                + Arrays.stream(locks.getStackTrace()).anyMatch(e -> e.getMethodName().equals("await"));
        // What a metrics library does for thread-state gauges: the infos of all ids, counted by state.
        long waitingWorkers = Arrays.stream(mx.getThreadInfo(mx.getAllThreadIds()))
                .filter(i -> i != null && i.getThreadName().startsWith("mx-worker-")
                        && i.getThreadState() == Thread.State.WAITING).count();
        release.countDown();
        for (Thread t : blocked) {
            t.join(10_000);
        }
        check("threadMXBean", "countGrewBy5=" + (grew >= 5) + " idListed=" + idListed + " dump=" + dumped
                + " byId=" + byId + " byIdDepth3=" + byIdDepth3 + " byIdFull=" + byIdFull
                + " waitingWorkersInAllInfos=" + waitingWorkers);
    }

    /** A ThreadPoolExecutor subclass's beforeExecute gets the Thread its ThreadFactory made, and so does the task. */
    private static void poolHooksSeeWorkerThread() throws Exception {
        java.util.Set<Thread> made = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicReference<String> before = new AtomicReference<>();
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 1,
                TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "pool-hook-worker");
                    made.add(t);
                    return t;
                }) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                before.set("beforeExecuteGotFactoryThread=" + made.contains(t));
            }
        };
        try {
            boolean taskSees = pool.submit(() -> made.contains(Thread.currentThread())).get(10, TimeUnit.SECONDS);
            check("poolHooks", before.get() + " taskSeesFactoryThread=" + taskSees);
        } finally {
            pool.shutdown();
        }
    }

    private static void run(String name, Body body) throws Exception {
        check(name, onNewThread(body));
    }

    private static String onNewThread(Body body) throws InterruptedException {
        AtomicReference<String> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Object v;
            try {
                v = body.get();
            } catch (Exception e) {
                v = e.toString();
            }
            Thread me = Thread.currentThread();
            out.set(v instanceof Thread th ? "isCurrentThreadObject=" + (th == me) + " virtual=" + th.isVirtual()
                    : String.valueOf(v));
        });
        join(t);
        return out.get();
    }

    private static void join(Thread t) throws InterruptedException {
        t.start();
        t.join(30_000);
        if (t.isAlive()) {
            throw new IllegalStateException(t + " still alive after 30 s");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(); // untimed: WAITING, as the caller checks
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (at most 10 s) until {@code t}'s stack shows it blocked inside the socket read. */
    private static void awaitBlockedInRead(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            StackTraceElement[] st = t.getStackTrace();
            boolean inRead = Arrays.stream(st).anyMatch(e -> e.getMethodName().equals("readNBytes"));
            boolean waiting = Arrays.stream(st).limit(12).anyMatch(e -> e.getMethodName().equals("read0")
                    || e.getMethodName().equals("park") || e.getMethodName().startsWith("poll"));
            if (inRead && waiting) {
                return;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("reader never blocked in read: " + Arrays.toString(t.getStackTrace()));
    }

    private static Thread.State awaitState(Thread t, Thread.State want) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Thread.State st = t.getState();
        while (st != want && System.nanoTime() < deadline) {
            Thread.sleep(2);
            st = t.getState();
        }
        return st;
    }

    private static void check(String name, Object observed) {
        System.out.println("CHECK " + name + " " + observed);
    }
}
