package io.coio.runtime;

import java.lang.ref.WeakReference;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@link FdState} of every fd that a group of carriers (the agent's runtime, or one explicit loop) has waited
 * on, indexed by fd number: a lookup is two array loads, no boxed key and no hashing on the hot path.
 *
 * <p>The kernel's fd numbers are process-wide and the JDK closes a socket on whatever thread closes it, so the
 * close hook reaches every live table ({@link #closing}); that list of tables is the one piece of static state,
 * and it holds them weakly (a table lives as long as its carriers).
 *
 * <p>Threads: any. Slots change by compare-and-set: created by a waiting coroutine, removed by the closing thread
 * or replaced when epoll no longer knows the file behind the number.
 */
final class FdTable {
    private static final int PAGE_BITS = 12;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int PAGES = 1024;
    /** fds at or above this number are not tracked; their waits go to the JDK's poller (reported once). */
    static final int LIMIT = PAGE_SIZE * PAGES;

    private static final CopyOnWriteArrayList<WeakReference<FdTable>> LIVE = new CopyOnWriteArrayList<>();

    private final AtomicReferenceArray<AtomicReferenceArray<FdState>> pages = new AtomicReferenceArray<>(PAGES);

    private FdTable() {
    }

    /** A new table, reachable by the JDK's close hook for as long as it is in use. */
    static FdTable create() {
        FdTable t = new FdTable();
        for (WeakReference<FdTable> r : LIVE) { // a loop, not removeIf's lambda: this runs at start-up
            if (r.get() == null) {
                LIVE.remove(r);
            }
        }
        LIVE.add(new WeakReference<>(t));
        return t;
    }

    /** The state of {@code fd}, or null if no coroutine waited on it since it was opened. */
    FdState get(int fd) {
        if (fd < 0 || fd >= LIMIT) {
            return null;
        }
        AtomicReferenceArray<FdState> page = pages.get(fd >>> PAGE_BITS);
        return page == null ? null : page.get(fd & (PAGE_SIZE - 1));
    }

    /** The state of {@code fd}, created if absent; null if {@code fd} is beyond {@link #LIMIT}. */
    FdState stateFor(int fd) {
        FdState s = get(fd);
        if (s != null || fd < 0 || fd >= LIMIT) {
            return s;
        }
        AtomicReferenceArray<FdState> page = page(fd >>> PAGE_BITS);
        FdState fresh = new FdState(fd);
        int i = fd & (PAGE_SIZE - 1);
        return page.compareAndSet(i, null, fresh) ? fresh : page.get(i);
    }

    /** Replaces {@code stale} (epoll no longer watches the file behind its number) with a fresh state. */
    FdState replace(FdState stale) {
        AtomicReferenceArray<FdState> page = page(stale.fd >>> PAGE_BITS);
        int i = stale.fd & (PAGE_SIZE - 1);
        FdState fresh = new FdState(stale.fd);
        return page.compareAndSet(i, stale, fresh) ? fresh : stateFor(stale.fd);
    }

    /** Removes and returns the state of {@code fd}, if any. */
    FdState remove(int fd) {
        if (fd < 0 || fd >= LIMIT) {
            return null;
        }
        AtomicReferenceArray<FdState> page = pages.get(fd >>> PAGE_BITS);
        return page == null ? null : page.getAndSet(fd & (PAGE_SIZE - 1), null);
    }

    private AtomicReferenceArray<FdState> page(int index) {
        AtomicReferenceArray<FdState> page = pages.get(index);
        if (page == null) {
            pages.compareAndSet(index, null, new AtomicReferenceArray<>(PAGE_SIZE));
            page = pages.get(index);
        }
        return page;
    }

    /** {@code Poller.stopPoll} (any thread): the direction's waiter of {@code fd}, in every table, wakes. */
    static void stopped(int fd, int dir) {
        for (WeakReference<FdTable> ref : LIVE) {
            FdTable t = ref.get();
            FdState s = t == null ? null : t.get(fd);
            Waiter w = s == null ? null : s.waiter(dir);
            if (w != null) {
                w.complete(Waiter.STOPPED);
            }
        }
    }

    /**
     * The JDK is about to close {@code fd} (any thread, before the number can be reused): every table forgets it,
     * its waiters wake as if {@code stopPoll} had run, and its registration leaves the home carrier's epoll.
     */
    static void closing(int fd) {
        for (WeakReference<FdTable> ref : LIVE) {
            FdTable t = ref.get();
            FdState s = t == null ? null : t.remove(fd);
            if (s != null) {
                s.closed = true;
                s.wakeAll(Waiter.STOPPED);
                FdRegistration reg = s.reg;
                if (reg != null) {
                    reg.retire();
                }
            }
        }
    }
}
