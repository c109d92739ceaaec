package io.coio.examples.libco;

import io.coio.api.CoLocal;
import io.coio.api.Coio;
import io.coio.api.Coroutine;

import java.io.PrintStream;

/**
 * libco's {@code example_specific}: ten coroutines each store their id in a coroutine-local
 * ({@code CO_ROUTINE_SPECIFIC} → {@link CoLocal}) and print it every second
 * ({@code RoutineFunc:45 routine specific data idx N}, libco's line number kept). No arguments.
 */
public final class ExampleSpecific {
    /** libco's {@code stRoutineSpecificData_t}. */
    static final class RoutineSpecificData {
        int idx;
    }

    private static final CoLocal<RoutineSpecificData> ROUTINE = new CoLocal<>(RoutineSpecificData::new);

    private final PrintStream out;
    private final long periodMillis;
    private final int rounds;
    private int finished;

    ExampleSpecific(PrintStream out, long periodMillis, int rounds) {
        this.out = out;
        this.periodMillis = periodMillis;
        this.rounds = rounds;
    }

    public static void main(String[] args) {
        new ExampleSpecific(System.out, 1000, Integer.MAX_VALUE).run();
    }

    /** Runs until every coroutine printed {@code rounds} times (libco's run forever). */
    void run() {
        for (int i = 0; i < 10; i++) {
            int routineId = i;
            Coroutine.create("routine-" + i, () -> routineFunc(routineId)).resume();
        }
        Coio.eventLoop(() -> finished == 10 ? -1 : 0);
    }

    private void routineFunc(int routineId) {
        Coroutine.enableHooks();
        ROUTINE.get().idx = routineId;
        for (int r = 0; r < rounds; r++) {
            out.printf("%s:%d routine specific data idx %d\n", "RoutineFunc", 45, ROUTINE.get().idx);
            out.flush();
            Coio.sleep(periodMillis);
        }
        finished++;
    }
}
