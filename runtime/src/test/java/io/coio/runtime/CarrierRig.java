package io.coio.runtime;

import io.netty.channel.epoll.EpollIoHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * What a runtime test starts — spare pools, carriers (one epoll loop each), watchdogs, sockets — and stops after the
 * test: watchdogs first (so none hands a loop off while the rest stops), then what the test asked to close, then the
 * carriers and their pools. Test thread only.
 */
final class CarrierRig {
    private final List<Carrier> carriers = new ArrayList<>();
    private final List<Watchdog> watchdogs = new ArrayList<>();
    private final List<SparePool> pools = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** {@code n} carriers sharing one pool of {@code spares} spare threads and one fd table (as the runtime has). */
    Carrier[] carriers(int n, int spares) {
        SparePool pool = pool(spares);
        Carrier[] cs = new Carrier[n];
        FdTable fds = FdTable.create();
        for (int i = 0; i < n; i++) {
            cs[i] = new Carrier(i, EpollIoHandler.newFactory(), true, pool, fds);
            carriers.add(cs[i]);
        }
        return cs;
    }

    /** One carrier with a pool of its own of {@code spares} spare threads. */
    Carrier carrier(int spares) {
        return carriers(1, spares)[0];
    }

    /** The spare pool made by the {@code i}-th {@link #carriers}/{@link #carrier} call of the test. */
    SparePool poolOf(int i) {
        return pools.get(i);
    }

    private SparePool pool(int spares) {
        SparePool pool = new SparePool(spares, Thread.currentThread().getThreadGroup());
        pools.add(pool);
        return pool;
    }

    /** {@code w}, stopped after the test. */
    Watchdog watchdog(Watchdog w) {
        watchdogs.add(w);
        return w;
    }

    /** {@code c}, closed after the test (after the watchdogs stopped, before the carriers). */
    <T extends AutoCloseable> T closeAfter(T c) {
        closeables.add(c);
        return c;
    }

    void stopAll() throws Exception {
        watchdogs.forEach(Watchdog::stop);
        for (AutoCloseable c : closeables) {
            c.close();
        }
        carriers.forEach(Carrier::stop);
        pools.forEach(SparePool::stop);
    }
}
