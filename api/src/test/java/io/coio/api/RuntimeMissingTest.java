package io.coio.api;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An app using the API with neither the agent nor a usable runtime gets one clear error that names the fix. */
class RuntimeMissingTest {

    private static String run(List<String> classpath, String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java"));
        cmd.addAll(Arrays.asList(jvmArgs));
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classpath), NoRuntimeApp.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        return out;
    }

    private static List<String> testClasspath() {
        return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    @Test
    void withoutTheRuntimeTheErrorNamesTheAgentAndTheClassPathFix() throws Exception {
        List<String> cp = testClasspath().stream()
                .filter(e -> !e.contains("coio-runtime") && !e.replace('\\', '/').contains("runtime/target")).toList();
        String out = run(cp);
        assertTrue(out.contains("IllegalStateException: coio-api: coio's runtime is not on the class path"), out);
        assertTrue(out.contains("-javaagent:coio-agent.jar"), out);
        assertTrue(out.contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), out);
        assertTrue(!out.contains("\nran"), out);
    }

    @Test
    void withTheRuntimeButNoFlagsTheErrorNamesTheMissingFlag() throws Exception {
        String out = run(testClasspath());
        assertTrue(out.contains("IllegalStateException: coio-api: coio's explicit coroutines cannot reach jdk.internal.vm.Continuation"), out);
        assertTrue(out.contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), out);
    }
}
