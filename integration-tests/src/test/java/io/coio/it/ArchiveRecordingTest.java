package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import example.apps.FailedInstallApp;
import io.coio.it.harness.AgentJvm;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM that records an AOT cache as it runs ({@code -XX:AOTCacheOutput}, JDK 25's one-step workflow): JDK 25.0.3
 * crashed writing the cache (SIGSEGV in {@code ArchiveBuilder::record_regenerated_object}) when coio was installed,
 * in either mode. coio now refuses to install there: one line, the app runs as without the agent, the cache is
 * written.
 */
class ArchiveRecordingTest {

    @ParameterizedTest
    @ValueSource(strings = {"carriers=2", "mode=detect"})
    void recordingAnAotCacheRunsTheAppWithoutCoioAndWritesTheCache(String options, @TempDir Path dir) throws IOException {
        String app = appJar(dir).toString(); // an AOT cache takes jars only on the class path
        List<String> without;
        Path plainCache = dir.resolve("plain.aot");
        try (AgentJvm plain = AgentJvm.builder(FailedInstallApp.class).noAgent().classpath(app)
                .jvmArg("-XX:AOTCacheOutput=" + plainCache).start()) {
            assertEquals(0, plain.awaitExit(Duration.ofSeconds(120)), "exit code" + plain.describeState());
            without = plain.stdoutLines();
        }
        assertTrue(Files.isRegularFile(plainCache), "the JVM writes the cache without the agent");
        Path cache = dir.resolve("app.aot");
        try (AgentJvm run = AgentJvm.builder(FailedInstallApp.class).agent(options).classpath(app)
                .jvmArg("-XX:AOTCacheOutput=" + cache).start()) {
            // before: exit 134 (the JVM crashed writing the cache, after the app's main() had ended)
            assertEquals(0, run.awaitExit(Duration.ofSeconds(120)), "exit code" + run.describeState());
            // the app's own lines (the JVM's AOT messages around them differ: it also names coio's classes it skips)
            assertEquals(appLines(without), appLines(run.stdoutLines()), "the app's output, as without the agent"
                    + run.describeState());
            assertTrue(run.stderrLines().stream().anyMatch(l -> l.startsWith("coio: could not install")
                            && l.contains("this JVM is writing a CDS or AOT archive")
                            && l.endsWith("The app runs without coio.")),
                    "one line says why" + run.describeState());
        }
        assertTrue(Files.isRegularFile(cache), "the cache is written");
    }

    private static List<String> appLines(List<String> stdout) {
        List<String> app = stdout.stream().filter(l -> l.startsWith("coio threads:") || l.startsWith("coio properties:")
                || l.startsWith("client thread:")).toList();
        assertEquals(3, app.size(), "the app's three lines: " + stdout);
        return app;
    }

    /** {@link FailedInstallApp}'s classes in a jar of their own. */
    private static Path appJar(Path dir) throws IOException {
        Path classes = Path.of(FailedInstallApp.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             DirectoryStream<Path> apps = Files.newDirectoryStream(classes.resolve("example/apps"), "FailedInstallApp*.class")) {
            for (Path c : apps) {
                out.putNextEntry(new JarEntry("example/apps/" + c.getFileName()));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
        }
        return jar;
    }
}
