package io.coio.examples.libco;

import io.coio.api.CoCond;
import io.coio.api.Coio;
import io.coio.api.Coroutine;

import java.io.PrintStream;
import java.util.ArrayDeque;

/**
 * libco's {@code example_cond}: a producer coroutine pushes a task every second and signals a
 * {@link CoCond}; a consumer coroutine waits on it and pops. No arguments. Prints libco's lines
 * ({@code Producer:44 produce task N}, {@code Consumer:63 consume task N}; the numbers are libco's source
 * lines, kept so that the output is the same).
 */
public final class ExampleCond {
    private final PrintStream out;
    private final long periodMillis;
    private final int tasks;
    private final CoCond cond = new CoCond();
    private final ArrayDeque<Integer> taskQueue = new ArrayDeque<>();
    private int consumed;

    ExampleCond(PrintStream out, long periodMillis, int tasks) {
        this.out = out;
        this.periodMillis = periodMillis;
        this.tasks = tasks;
    }

    public static void main(String[] args) {
        new ExampleCond(System.out, 1000, Integer.MAX_VALUE).run();
    }

    /** Runs until {@code tasks} tasks were consumed (libco's runs forever). */
    void run() {
        Coroutine consumer = Coroutine.create("Consumer", this::consumer);
        consumer.resume();
        Coroutine producer = Coroutine.create("Producer", this::producer);
        producer.resume();
        Coio.eventLoop(() -> consumed >= tasks ? -1 : 0);
    }

    private void producer() {
        Coroutine.enableHooks();
        for (int id = 0; id < tasks; id++) {
            taskQueue.add(id);
            out.printf("%s:%d produce task %d\n", "Producer", 44, id);
            out.flush();
            cond.signal();
            Coio.sleep(periodMillis);
        }
    }

    private void consumer() {
        Coroutine.enableHooks();
        while (consumed < tasks) {
            if (taskQueue.isEmpty()) {
                cond.await(-1);
                continue;
            }
            int id = taskQueue.poll();
            out.printf("%s:%d consume task %d\n", "Consumer", 63, id);
            out.flush();
            consumed++;
        }
    }
}
