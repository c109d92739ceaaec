package io.coio.api;

import io.coio.runtime.Explicit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A coroutine-local variable: libco's {@code co_getspecific}/{@code co_setspecific} and
 * {@code CO_ROUTINE_SPECIFIC}. Each explicit coroutine sees its own value; outside a coroutine it behaves as
 * a {@code ThreadLocal} of the calling thread (as libco falls back to {@code pthread_getspecific}).
 *
 * <p>Relation to {@code ThreadLocal}: inside an explicit coroutine a {@code ThreadLocal} belongs to the
 * thread that currently runs it (its resumer, or its event loop after a wait), so it can change between two
 * lines of the coroutine; a {@code CoLocal} cannot. Threads that coio converted are virtual threads, so
 * there {@code ThreadLocal} is already per-coroutine and {@code CoLocal} equals it.
 *
 * <p>Threads: a coroutine's values are touched only by that coroutine.
 */
public final class CoLocal<T> {
    private static final AtomicInteger SLOTS = new AtomicInteger();
    private static final Object NULL = new Object();

    private final int slot = SLOTS.getAndIncrement();
    private final Supplier<? extends T> initial;
    private final ThreadLocal<T> outside;

    /** A coroutine-local whose initial value is null. */
    public CoLocal() {
        this(() -> null);
    }

    /** A coroutine-local whose initial value, per coroutine, comes from {@code initial}. */
    public CoLocal(Supplier<? extends T> initial) {
        RuntimeCheck.require();
        this.initial = initial;
        this.outside = ThreadLocal.withInitial(initial);
    }

    /** {@code co_getspecific}. */
    @SuppressWarnings("unchecked")
    public T get() {
        Explicit co = Explicit.current();
        if (co == null) {
            return outside.get();
        }
        Object v = co.local(slot);
        if (v == null) {
            T init = initial.get();
            co.setLocal(slot, init == null ? NULL : init);
            return init;
        }
        return v == NULL ? null : (T) v;
    }

    /** {@code co_setspecific}. */
    public void set(T value) {
        Explicit co = Explicit.current();
        if (co == null) {
            outside.set(value);
        } else {
            co.setLocal(slot, value == null ? NULL : value);
        }
    }

    /** Forgets the current coroutine's (or thread's) value; the next {@link #get} starts from the initial one. */
    public void remove() {
        Explicit co = Explicit.current();
        if (co == null) {
            outside.remove();
        } else {
            co.setLocal(slot, null);
        }
    }
}
