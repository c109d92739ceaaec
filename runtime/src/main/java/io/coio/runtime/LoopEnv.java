package io.coio.runtime;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.internal.PlatformDependent;

import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The event-loop side of explicit coroutines for one carrier — libco's per-thread {@code stCoRoutineEnv_t}.
 * Each carrier that hosts explicit coroutines gets one {@code host}: a virtual thread on that carrier
 * which continues the coroutines whose waits ended ("the event loop resumes it"), and which runs the
 * resumes made from a platform thread.
 *
 * <p>A platform thread that resumes a coroutine, polls or runs {@code Coio.eventLoop} gets its own
 * caller-driven carrier (its own epoll) the first time: nothing runs there unless that thread drives it
 * (inside {@code resume}, {@code poll} or {@code eventLoop}), exactly as in libco. It is kept until the JVM
 * exits.
 *
 * <p>Threads: {@link #schedule} from any thread; {@link #resumeDirect} only from the owning platform thread;
 * {@link #resumeFrom} from a converted thread of this carrier. The host alone runs coroutines.
 */
final class LoopEnv {
    private static final ConcurrentHashMap<Carrier, LoopEnv> ENVS = new ConcurrentHashMap<>();
    private static final ThreadLocal<LoopEnv> OWN = new ThreadLocal<>();
    private static final AtomicInteger OWN_IDS = new AtomicInteger();

    final Carrier carrier;
    private final Queue<Explicit> ready = PlatformDependent.newMpscQueue();
    private final Queue<DirectResume> directs = PlatformDependent.newMpscQueue();
    private final Thread host;

    private LoopEnv(Carrier carrier) {
        this.carrier = carrier;
        this.host = JdkInternals.virtualThreadBuilder(carrier).name("coio-explicit-host-" + carrier.id)
                .unstarted(this::hostLoop);
        host.start();
    }

    /** The env of a coio carrier (a runtime carrier or a platform thread's own). */
    static LoopEnv of(Carrier carrier) {
        return ENVS.computeIfAbsent(carrier, LoopEnv::new);
    }

    /** The calling platform thread's own env, created on first use. */
    static LoopEnv ofPlatformThread(Thread t) {
        LoopEnv env = OWN.get();
        if (env == null) {
            IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            Carrier c = Carrier.drivenBy(t, -1 - OWN_IDS.getAndIncrement(), factory, Epoll.isAvailable());
            env = of(c);
            OWN.set(env);
        }
        return env;
    }

    /** The calling thread's own env if it is a platform thread that has one, else null. */
    static LoopEnv ownIfAny() {
        return OWN.get();
    }

    /** Any thread: {@code co}'s wait ended; the host continues it on this carrier. */
    void schedule(Explicit co) {
        ready.offer(co);
        LockSupport.unpark(host);
    }

    /** Owning platform thread: resume {@code co} through the host, on this thread, and drive the loop until it stops. */
    Object resumeDirect(Explicit co, Object value) {
        DirectResume r = new DirectResume(co, value, null);
        directs.offer(r);
        LockSupport.unpark(host);
        carrier.drive(() -> r.done, true, 0);
        return r.result();
    }

    /** A converted thread of this carrier: the host runs {@code co} while the caller parks. */
    Object resumeFrom(Thread caller, Explicit co, Object value) {
        DirectResume r = new DirectResume(co, value, caller);
        directs.offer(r);
        LockSupport.unpark(host);
        while (!r.done) {
            LockSupport.park(r);
        }
        return r.result();
    }

    /** Owning platform thread: {@code co_eventloop}. */
    void runEventLoop(BooleanSupplier stopAfterIteration, long maxWaitNanos) {
        LockSupport.unpark(host); // coroutines that became ready before the loop started
        carrier.drive(stopAfterIteration, false, maxWaitNanos);
    }

    private void hostLoop() {
        for (;;) {
            DirectResume d = directs.poll();
            if (d != null) {
                d.run();
                if (d.caller == null) {
                    Thread.yield(); // give the OS thread back to the platform thread that drives this loop
                }
                continue;
            }
            Explicit co = ready.poll();
            if (co != null) {
                try {
                    co.resumeFromLoop();
                } catch (Throwable t) {
                    t.printStackTrace();
                }
                continue;
            }
            LockSupport.park(this);
        }
    }

    /** One resume asked by a thread that is not a host, run by the host; {@code caller} null: the loop's owner. */
    private static final class DirectResume implements Runnable {
        private final Explicit co;
        private final Object value;
        final Thread caller;
        private Object result;
        private Throwable failure;
        /** Written by the host, read by the caller (another virtual thread, or the owner driving the loop). */
        volatile boolean done;

        DirectResume(Explicit co, Object value, Thread caller) {
            this.co = co;
            this.value = value;
            this.caller = caller;
        }

        @Override
        public void run() {
            try {
                result = co.resumeOnHost(value);
            } catch (Throwable t) {
                failure = t;
            }
            done = true;
            if (caller != null) {
                LockSupport.unpark(caller);
            }
        }

        Object result() {
            Throwable f = failure;
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
            return result;
        }
    }
}
