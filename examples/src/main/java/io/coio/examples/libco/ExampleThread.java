package io.coio.examples.libco;

import io.coio.api.Coio;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * libco's {@code example_thread}: {@code example_thread CNT} starts CNT threads, each running its own event
 * loop ({@code co_eventloop} with a callback that returns 0), and the main thread sleeps forever. Prints
 * nothing, like libco's. Under coio's agent the threads are converted: each loop is then its carrier's.
 */
public final class ExampleThread {
    private final Thread[] threads;
    /** How many iterations each thread's loop ran its callback (libco's {@code loop} returns 0). */
    private final AtomicLongArray iterations;
    private volatile boolean stopped;

    ExampleThread(int cnt) {
        threads = new Thread[cnt];
        iterations = new AtomicLongArray(cnt);
        for (int i = 0; i < cnt; i++) {
            int me = i;
            threads[i] = new Thread(() -> Coio.eventLoop(() -> {
                iterations.incrementAndGet(me);
                return stopped ? -1 : 0;
            }), "example-thread-" + i);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.out.print("Usage:\nexample_thread [THREAD_COUNT]\n");
            System.exit(255);
        }
        new ExampleThread(Integer.parseInt(args[0])).start();
        for (;;) {
            Thread.sleep(1000);
        }
    }

    ExampleThread start() {
        for (Thread t : threads) {
            t.start();
        }
        return this;
    }

    long iterations(int thread) {
        return iterations.get(thread);
    }

    void stop() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            t.join(60_000);
        }
    }
}
