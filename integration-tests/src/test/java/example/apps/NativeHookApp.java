package example.apps;

import io.coio.nativeswap.NativeCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An app that calls a C library's blocking function through {@code NativeCall} from an ordinary thread, while
 * another thread ticks every 5 ms: loads {@code args[0]} (a library that calls libc's {@code nanosleep}), sleeps
 * 1 s in it, and prints {@code CHECK ticksDuringNativeSleep <many|n>} and {@code DONE}. Under the agent with
 * {@code carriers=1,blockedms=0}, the ticker runs during the sleep only if the library's {@code nanosleep} yields
 * (the agent's {@code hook=} option); otherwise the sleep holds the one carrier.
 */
public final class NativeHookApp {
    public static void main(String[] args) throws Exception {
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(args[0]), Arena.global());
        MemorySegment sleepMs = lib.find("hooktest_sleep_ms").orElseThrow();
        AtomicLong ticks = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread ticker = new Thread(() -> {
            while (!done.get()) {
                ticks.incrementAndGet();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        ticker.start();
        long[] during = new long[1];
        Thread sleeper = new Thread(() -> {
            // A first call loads what the native path needs (reading a jar is file I/O, which would move the
            // carrier's loop away for the rest of that run); after a park the measured call starts a fresh run.
            NativeCall.call(sleepMs, 1);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            long before = ticks.get();
            NativeCall.call(sleepMs, 1000);
            during[0] = ticks.get() - before;
        });
        sleeper.start();
        sleeper.join();
        done.set(true);
        ticker.join();
        System.out.println("CHECK ticksDuringNativeSleep " + (during[0] >= 20 ? "many" : Long.toString(during[0])));
        System.out.println("DONE");
    }
}
