package io.coio.runtime;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Spare OS threads that take over a carrier's event loop when the thread driving it must block
 * ({@link Carrier#handOff}). They are made ahead of time by the runtime, clean: platform, daemon, no inherited
 * thread-locals, the system class loader as context class loader, the runtime's thread group — whatever
 * thread asks for the hand-off (often a coroutine, whose context must not leak into a loop thread).
 *
 * <p>Sizes: {@code size} spares are started at once and at most {@code size} idle ones are kept. When none is
 * idle, {@link #acquire} starts one more at once (never waits: a hand-off that waited for a spare could wait for
 * the very loop it must move); the hand-off reports it once it has used it ({@link #reportExtra}). A loop thread that handed its loop on and finished its
 * coroutine's run comes back through {@link #offer}; past {@code size} idle spares it retires (ends).
 *
 * <p>Threads: {@link #acquire} and {@link #offer} from any thread. A {@link Spare}'s job is written by the
 * acquirer before the spare is started or unparked, and read by the spare thread only.
 */
final class SparePool {
    private final int size;
    private final ThreadGroup group;
    private final ConcurrentLinkedDeque<Spare> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicInteger names = new AtomicInteger();
    /** Spares made because none was idle (beyond the ones made at start). */
    final AtomicLong extraThreads = new AtomicLong();
    private volatile boolean stopped;

    SparePool(int size, ThreadGroup group) {
        if (size < 0) {
            throw new IllegalArgumentException("spare loop threads must be >= 0, got " + size);
        }
        this.size = size;
        this.group = group;
        for (int i = 0; i < size; i++) {
            Spare s = newSpare();
            s.started = true;
            s.thread.start();
            idle.offerFirst(s);
            idleCount.incrementAndGet();
        }
    }

    /**
     * An idle spare, or a new one, already started and waiting for its job, if none is idle. Never blocks; a new
     * one is not counted or reported here: the caller may not use it ({@link #giveBack}), see {@link #reportExtra}.
     */
    Spare acquire() {
        Spare s = idle.pollFirst();
        if (s != null) {
            idleCount.decrementAndGet();
            s.extra = false;
            return s;
        }
        s = newSpare();
        s.extra = true;
        s.started = true;
        s.thread.start();
        return s;
    }

    /** A spare from {@link #acquire} that was not used (its hand-off lost a race): idle again, or it ends. */
    void giveBack(Spare s) {
        s.extra = false;
        if (!offer(s)) {
            s.retire();
        }
    }

    /**
     * Whether {@link #reportExtra} also says so on stderr (the agent's {@code report=all}). Off by default: an app
     * whose threads block at once in ways no hook can yield (40 threads' first DNS lookups, process pipes pumped by
     * many threads, many threads printing) needs as many OS threads as it would without coio, and an unasked line
     * in its stderr is a difference it can see. The count stays in the stats ({@code extraLoopThreads}).
     */
    private volatile boolean sayExtra;

    void sayExtraThreads(boolean on) {
        sayExtra = on;
    }

    /** A hand-off used a spare that {@link #acquire} made because none was idle: counted, and reported if asked. */
    void reportExtra() {
        long n = extraThreads.incrementAndGet();
        if (sayExtra && Long.bitCount(n) == 1) { // 1st, 2nd, 4th, 8th ...: visible, never a flood
            System.err.println("coio: no spare loop thread was idle for a carrier hand-off; started one more ("
                    + n + " so far): coroutines block their OS threads faster than blocked threads come back."
                    + " Raise spares= if this is normal.");
        }
    }

    /** A not yet started clean thread for a carrier's first loop (not counted as a spare). */
    Spare newLoopThread() {
        return newSpare();
    }

    /** Called by a spare thread whose job ended: true if it stays as an idle spare, false if it must retire. */
    private boolean offer(Spare s) {
        if (stopped) {
            return false;
        }
        if (idleCount.incrementAndGet() > size) {
            idleCount.decrementAndGet();
            return false;
        }
        idle.offerFirst(s);
        return true;
    }

    /**
     * Every idle spare ends; busy ones end after their job. Returns the idle spares' threads, woken to end, for the
     * caller to join: a stopped runtime leaves no thread behind that an app listing its threads could still see.
     */
    java.util.List<Thread> stop() {
        stopped = true;
        java.util.List<Thread> ending = new java.util.ArrayList<>();
        for (Spare s; (s = idle.pollFirst()) != null; ) {
            idleCount.decrementAndGet();
            LockSupport.unpark(s.thread);
            ending.add(s.thread);
        }
        return ending;
    }

    int idleCount() {
        return idleCount.get();
    }

    private Spare newSpare() {
        Spare s = new Spare();
        s.thread = CleanThread.unstarted(group, "coio-spare-" + names.incrementAndGet(), new Runnable() { // no lambda
            @Override
            public void run() {
                s.run();
            }
        });
        return s;
    }

    /** A spare's job that ends its thread (a spare given back when the pool is full or stopped). */
    private static final Runnable RETIRE = new Runnable() { // a class, not a lambda: spun at start-up otherwise
        @Override
        public void run() {
        }
    };

    /** One spare thread: waits for a job (a carrier's loop), runs it, then offers itself back. */
    final class Spare {
        Thread thread;
        /** The OS thread id, set by the thread itself when it starts ({@link OsThread#UNKNOWN_TID} until then). */
        volatile int osTid = OsThread.UNKNOWN_TID;
        private volatile Runnable job;
        private volatile boolean started;
        /** Made by {@link #acquire} because no spare was idle (written before the spare is handed to anyone). */
        private boolean extra;

        /** True if {@link #acquire} made this spare because none was idle. */
        boolean isExtra() {
            return extra;
        }

        private void retire() {
            job = RETIRE;
            LockSupport.unpark(thread);
        }

        /** Runs {@code loop} on this spare; the caller has made it the carrier's loop thread first. */
        void run(Runnable loop) {
            job = loop;
            if (!started) {
                started = true;
                thread.start();
            } else {
                LockSupport.unpark(thread);
            }
        }

        private void run() {
            osTid = OsThread.currentTid();
            String idleName = thread.getName();
            for (;;) {
                Runnable j;
                while ((j = job) == null) {
                    if (stopped) {
                        return;
                    }
                    LockSupport.park(this);
                }
                job = null;
                if (j == RETIRE) {
                    return;
                }
                try {
                    j.run();
                } catch (Throwable t) {
                    Carrier.report("a spare loop thread's job failed", t);
                }
                thread.setName(idleName);
                if (!offer(this)) {
                    return;
                }
            }
        }
    }
}
