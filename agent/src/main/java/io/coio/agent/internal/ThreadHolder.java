package io.coio.agent.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The two fields of a platform {@code Thread}'s {@code FieldHolder} coio reads or writes: the JVMTI status the JDK's
 * own code answers {@code getState()}, {@code isAlive()} and a second {@code start()} from, and the task (the
 * {@code Runnable} the thread was made with). Any thread; stateless.
 */
final class ThreadHolder {
    /** JVMTI thread states, as kept in {@code Thread.holder.threadStatus}. */
    static final int NEW = 0;
    static final int RUNNABLE = 0x0001 | 0x0004;
    static final int TERMINATED = 0x0002;

    private static final VarHandle HOLDER;
    private static final VarHandle STATUS;
    private static final VarHandle TASK;

    static {
        try {
            Class<?> holder = Class.forName("java.lang.Thread$FieldHolder");
            HOLDER = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findVarHandle(Thread.class, "holder", holder);
            MethodHandles.Lookup inHolder = MethodHandles.privateLookupIn(holder, MethodHandles.lookup());
            STATUS = inHolder.findVarHandle(holder, "threadStatus", int.class);
            TASK = inHolder.findVarHandle(holder, "task", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("unsupported JDK: Thread.holder.threadStatus / task not found", e);
        }
    }

    private ThreadHolder() {
    }

    static int status(Thread t) {
        return (int) STATUS.get(HOLDER.get(t));
    }

    static void setStatus(Thread t, int status) {
        STATUS.setVolatile(HOLDER.get(t), status);
    }

    static Runnable task(Thread t) {
        return (Runnable) TASK.get(HOLDER.get(t));
    }
}
