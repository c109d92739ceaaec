package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import example.apps.NativeHookApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CheckLines;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's {@code hook=} option: a named C library's libc calls yield (native-swap's GOT hooks) when the app
 * calls it through {@code NativeCall} from an ordinary thread, without the app calling {@code hookLibrary}.
 */
@Timeout(120)
class NativeHookOptionTest {
    private static final String LIB = "libcoio_hooktest.so";

    private static String lib() {
        return Path.of(System.getProperty("coio.root"), "native-swap", "target", "native-test", LIB).toString();
    }

    @Test
    @DisplayName("hook=<library>, carriers=1, watchdog off: the library's nanosleep parks its coroutine and another thread runs meanwhile")
    void namedLibraryYields() {
        Map<String, String> seen = CheckLines.run(AgentJvm.builder(NativeHookApp.class)
                .agent("carriers=1,blockedms=0,hook=" + LIB).args(lib()));
        assertEquals("many", seen.get("ticksDuringNativeSleep"), "ticks while the native call slept: " + seen);
    }

    @Test
    @DisplayName("the same without hook=: the native sleep holds the only carrier (what the option changes)")
    void withoutTheOptionTheCarrierIsHeld() {
        Map<String, String> seen = CheckLines.run(AgentJvm.builder(NativeHookApp.class)
                .agent("carriers=1,blockedms=0").args(lib()));
        assertEquals("0", seen.get("ticksDuringNativeSleep"), "ticks while the native call slept: " + seen);
    }
}
