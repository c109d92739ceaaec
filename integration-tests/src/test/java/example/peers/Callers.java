package example.peers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The client side the in-process peer apps share: {@code threads} plain {@code new Thread}s, each making its calls
 * ({@code call.apply(id)} returns its result line); joins them, prints the lines sorted (so that the output does not
 * depend on the order they finished in) and returns how many end in {@code " ok"}. No coio imports.
 */
final class Callers {
    private Callers() {
    }

    static long runAndPrint(int threads, String namePrefix, IntFunction<String> call) throws InterruptedException {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            Thread t = new Thread(() -> lines.add(call.apply(id)), namePrefix + i);
            t.start();
            callers.add(t);
        }
        for (Thread t : callers) {
            t.join();
        }
        Collections.sort(lines);
        lines.forEach(System.out::println);
        return lines.stream().filter(l -> l.endsWith(" ok")).count();
    }
}
