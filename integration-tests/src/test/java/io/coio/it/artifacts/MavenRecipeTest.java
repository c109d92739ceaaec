package io.coio.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.harness.AgentJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Surefire recipe, run by Maven: a tiny project generated here depends on {@code io.coio:coio-junit}
 * (which brings {@code coio-detect-api}) and {@code io.coio:coio-agent} as ordinary test-scoped dependencies, runs
 * its tests under {@code -javaagent:…=mode=detect}, and its build fails naming the test that blocked a
 * non-blocking thread. Offline ({@code mvn -o}); the local repository is the machine's {@code ~/.m2} for plugins
 * and JUnit, with {@code io/coio} replaced by this build's artifacts (so another build's install cannot interfere).
 */
class MavenRecipeTest {
    static final long BUILD_MINUTES = 8;

    static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>example</groupId>
              <artifactId>coio-recipe-check</artifactId>
              <version>1</version>
              <properties>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                <maven.compiler.release>21</maven.compiler.release>
                <coio.version>@COIO_VERSION@</coio.version>
                <coio.agent.jar>${settings.localRepository}/io/coio/coio-agent/${coio.version}/coio-agent-${coio.version}.jar</coio.agent.jar>
              </properties>
              <dependencies>
                <dependency>
                  <groupId>org.junit.jupiter</groupId>
                  <artifactId>junit-jupiter</artifactId>
                  <version>@JUNIT_VERSION@</version>
                  <scope>test</scope>
                </dependency>
                <dependency>
                  <groupId>io.coio</groupId>
                  <artifactId>coio-junit</artifactId>
                  <version>${coio.version}</version>
                  <scope>test</scope>
                </dependency>
                <dependency>
                  <groupId>io.coio</groupId>
                  <artifactId>coio-agent</artifactId>
                  <version>${coio.version}</version>
                  <scope>test</scope>
                </dependency>
              </dependencies>
              <build>
                <plugins>
                  <!-- The plugin versions coio's own build uses, so an offline build finds them in ~/.m2. -->
                  <plugin>
                    <artifactId>maven-resources-plugin</artifactId>
                    <version>2.6</version>
                  </plugin>
                  <plugin>
                    <artifactId>maven-compiler-plugin</artifactId>
                    <version>3.13.0</version>
                  </plugin>
                  <plugin>
                    <artifactId>maven-surefire-plugin</artifactId>
                    <version>@SUREFIRE_VERSION@</version>
                    <configuration>
                      <argLine>-javaagent:${coio.agent.jar}=mode=detect,nonblocking=evloop-.*</argLine>
                      <classpathDependencyExcludes>
                        <classpathDependencyExclude>io.coio:coio-agent</classpathDependencyExclude>
                      </classpathDependencyExcludes>
                      <properties>
                        <configurationParameters>
                          junit.jupiter.extensions.autodetection.enabled = true
                          coio.detect.required = true
                        </configurationParameters>
                      </properties>
                    </configuration>
                  </plugin>
                </plugins>
              </build>
            </project>
            """;

    /** No coio annotation: the extension comes from coio-junit's service registration. */
    static final String LOOP_TEST = """
            package example;

            import io.coio.agent.detect.CoioDetect;
            import org.junit.jupiter.api.Test;

            class EventLoopTest {
                @Test void handlerSleepsOnTheLoop() throws Exception { run(new Thread(EventLoopTest::nap, "evloop-1")); }
                @Test void handlerNeverBlocks() throws Exception { run(new Thread(() -> { }, "evloop-2")); }
                @Test void markedThreadSleeps() throws Exception {
                    Thread t = new Thread(EventLoopTest::nap, "plain-1");
                    CoioDetect.markNonBlocking(t);
                    run(t);
                }
                @Test void workerSleeps() throws Exception { run(new Thread(EventLoopTest::nap, "worker-1")); }

                static void nap() {
                    try { Thread.sleep(1); } catch (InterruptedException e) { throw new IllegalStateException(e); }
                }
                static void run(Thread t) throws InterruptedException {
                    t.start();
                    t.join();
                }
            }
            """;

    @Test
    @DisplayName("a Maven project with coio-junit and coio-agent as test dependencies (offline, local repository): the build fails and names the two tests that slept on a non-blocking thread; the others pass")
    void buildFailsNamingTheTestThatBlocked(@TempDir Path dir) throws Exception {
        Path repo = localRepository(dir.resolve("repo"));
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("pom.xml"), POM.replace("@COIO_VERSION@", version())
                .replace("@JUNIT_VERSION@", org.junit.jupiter.api.Test.class.getPackage().getImplementationVersion())
                .replace("@SUREFIRE_VERSION@", "3.5.2"));
        Path src = Files.createDirectories(project.resolve("src/test/java/example"));
        Files.writeString(src.resolve("EventLoopTest.java"), LOOP_TEST);

        Path log = dir.resolve("mvn.log");
        ProcessBuilder pb = new ProcessBuilder(mavenLauncher().toString(), "-B", "-o", "-Dstyle.color=never",
                "-Dmaven.repo.local=" + repo, "test")
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process mvn = pb.start();
        boolean ended = mvn.waitFor(BUILD_MINUTES, TimeUnit.MINUTES);
        if (!ended) {
            mvn.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(ended, "mvn did not end within " + BUILD_MINUTES + " minutes:\n" + out);
        assertNotEquals(0, mvn.exitValue(), "the build must fail:\n" + out);
        assertTrue(out.contains("Tests run: 4, Failures: 2, Errors: 0, Skipped: 0"), out);
        assertTrue(out.contains("There are test failures"), out);

        Path report = project.resolve("target/surefire-reports/TEST-example.EventLoopTest.xml");
        String xml = Files.readString(report);
        assertEquals(List.of("handlerSleepsOnTheLoop", "markedThreadSleeps"), failed(xml), xml);
        assertTrue(xml.contains("coio: blocking call java.lang.Thread.sleep on thread evloop-1"), xml);
        assertTrue(xml.contains("coio: blocking call java.lang.Thread.sleep on thread plain-1"), xml);
        // Maven's summary names the failed tests too
        assertTrue(Pattern.compile("EventLoopTest\\.handlerSleepsOnTheLoop").matcher(out).find(), out);
    }

    /** Test case names with a failure element, from a Surefire XML report. */
    static List<String> failed(String xml) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("<testcase name=\"(\\w+)\"[^>]*?(/>|>(.*?)</testcase>)", Pattern.DOTALL).matcher(xml);
        while (m.find()) {
            if (m.group(3) != null && m.group(3).contains("<failure")) {
                names.add(m.group(1));
            }
        }
        names.sort(null);
        return names;
    }

    static String version() {
        return System.getProperty("coio.version");
    }

    static Path mavenLauncher() {
        Path mvn = Paths.get(System.getProperty("maven.home", "/usr/share/maven"), "bin", "mvn");
        assertTrue(Files.isExecutable(mvn), "no Maven launcher at " + mvn + " (system property maven.home)");
        return mvn;
    }

    /**
     * A local repository that is ~/.m2/repository (plugins, JUnit: linked, read as they are) except for
     * {@code io/coio}, which holds this build's artifacts only, laid out as {@code mvn install} would.
     */
    static Path localRepository(Path repo) throws IOException {
        Path m2 = Paths.get(System.getProperty("user.home"), ".m2", "repository");
        Files.createDirectories(repo.resolve("io/coio"));
        try (Stream<Path> top = Files.list(m2)) {
            for (Path p : top.toList()) {
                if (!p.getFileName().toString().equals("io")) {
                    Files.createSymbolicLink(repo.resolve(p.getFileName().toString()), p);
                }
            }
        }
        try (Stream<Path> io = Files.list(m2.resolve("io"))) {
            for (Path p : io.toList()) {
                if (!p.getFileName().toString().equals("coio")) {
                    Files.createSymbolicLink(repo.resolve("io").resolve(p.getFileName().toString()), p);
                }
            }
        }
        Path root = Paths.get(System.getProperty("coio.root")).toAbsolutePath().normalize();
        install(repo, "coio-parent", root.resolve("pom.xml"), null);
        install(repo, "coio-detect-api", root.resolve("detect-api/pom.xml"), AgentJvm.detectApiJar());
        install(repo, "coio-junit", root.resolve("junit/pom.xml"), AgentJvm.junitJar());
        install(repo, "coio-agent", root.resolve("agent/target/dependency-reduced-pom.xml"), AgentJvm.agentJar());
        return repo;
    }

    private static void install(Path repo, String artifactId, Path pom, Path jar) throws IOException {
        String v = version();
        Path d = Files.createDirectories(repo.resolve("io/coio").resolve(artifactId).resolve(v));
        Files.copy(pom, d.resolve(artifactId + "-" + v + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, d.resolve(artifactId + "-" + v + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
