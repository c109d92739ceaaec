package io.coio.it.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.harness.AgentJvm;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detect mode needs JDK 21+ (its hooks are JDK 21+ internals, like coroutine mode's). On Java 17 the agent
 * says so in one line and the app runs; the detect API (coio-detect-api) still loads (it is compiled for Java 8)
 * and says why it is inactive, so tests that use it run, unchecked, instead of failing to link.
 */
class OldJdkDetectTest {
    static final Path JAVA_17 = Paths.get("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

    static final String APP = """
            public class OldJdkDetectApp {
                public static void main(String[] args) throws Exception {
                    Thread t = new Thread(() -> {
                        try { Thread.sleep(1); } catch (InterruptedException e) { throw new IllegalStateException(e); }
                    }, "evloop-1");
                    t.start();
                    t.join();
                    System.out.println("active=" + io.coio.agent.detect.CoioDetect.isActive());
                    System.out.println("why=" + io.coio.agent.detect.CoioDetect.whyInactive());
                    System.out.println("done on " + System.getProperty("java.specification.version"));
                }
            }
            """;

    @Test
    @DisplayName("Java 17 with mode=detect: one line saying coio (detect mode too) needs Java 21, the app runs; CoioDetect.isActive() is false and says why")
    void java17SaysDetectModeNeeds21(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(JAVA_17), "no Java 17 at " + JAVA_17);
        Path src = dir.resolve("OldJdkDetectApp.java");
        Files.writeString(src, APP);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        boolean ok = javac.getTask(log, null, null,
                List.of("--release", "17", "-d", dir.toString(), "-cp", AgentJvm.detectApiJar().toString()), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromStrings(List.of(src.toString()))).call();
        assertTrue(ok, "compile: " + log);

        AgentJvm app = AgentJvm.builder("OldJdkDetectApp").java(JAVA_17).classpath(dir.toString(), AgentJvm.detectApiJar().toString())
                .agent("mode=detect,nonblocking=evloop-.*").start();
        try (app) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app.describeState());
        }
        List<String> lines = app.stderrMatching("coio");
        assertEquals(1, lines.size(), app.describeState());
        assertTrue(lines.get(0).startsWith("coio: this JVM is Java 17 (")
                && lines.get(0).contains("coio needs Java 21 or newer, detect mode too (no blocking calls are checked)")
                && lines.get(0).endsWith("The app runs without coio."), lines.get(0));
        assertEquals(List.of("active=false", "why=this JVM is Java 17; coio's detect mode needs Java 21 or newer",
                "done on 17"), app.stdoutLines(), app.describeState());
    }
}
