package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import io.coio.it.harness.AgentJvm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The packaged agent jar itself: what a user puts after -javaagent (BlockHound's JarFileShadingTest idea). */
class AgentJarTest {
    private static Path agentJar() {
        Path jar = AgentJvm.agentJar();
        assertTrue(Files.isRegularFile(jar), "agent jar not built: " + jar);
        return jar;
    }

    @Test
    @DisplayName("the manifest names the agent entry point for -javaagent, attach and executable-jar launch, and allows retransformation")
    void manifest() throws IOException {
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            Attributes a = jar.getManifest().getMainAttributes();
            assertEquals("io.coio.agent.CoioAgent", a.getValue("Premain-Class"));
            assertEquals("io.coio.agent.CoioAgent", a.getValue("Agent-Class"));
            assertEquals("io.coio.agent.CoioAgent", a.getValue("Launcher-Agent-Class"));
            assertEquals("true", a.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    @DisplayName("every class is under io/coio/: Netty and ASM are relocated and cannot clash with the app's own copies")
    void onlyRelocatedClasses() throws IOException {
        List<String> foreign = new ArrayList<>();
        boolean nettyRelocated = false;
        boolean asmRelocated = false;
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.endsWith(".class") && !name.startsWith("io/coio/")) {
                    foreign.add(name);
                }
                nettyRelocated |= name.startsWith("io/coio/shaded/io/netty/channel/epoll/");
                asmRelocated |= name.startsWith("io/coio/shaded/org/objectweb/asm/");
            }
        }
        assertEquals(List.of(), foreign, "classes outside io/coio/ in the agent jar");
        assertTrue(nettyRelocated, "relocated Netty epoll transport missing");
        assertTrue(asmRelocated, "relocated ASM missing");
    }

    @Test
    @DisplayName("Netty's native epoll library is packed under the relocated name its loader derives from the shaded package")
    void nativeLibraryRenamed() throws IOException {
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            assertNotNull(jar.getEntry("META-INF/native/libio_coio_shaded_netty_transport_native_epoll_x86_64.so"),
                    "relocated native library missing");
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                assertTrue(!name.startsWith("META-INF/native/libnetty_"), "unrelocated native library: " + name);
            }
        }
    }

    @Test
    @DisplayName("the entry class loads on Java 8+ (class file version 52) so an old JVM can print the clear message")
    void entryClassIsJava8() throws IOException {
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            byte[] head = jar.getInputStream(jar.getEntry("io/coio/agent/CoioAgent.class")).readNBytes(8);
            int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            assertEquals(52, major, "class file major version of io.coio.agent.CoioAgent");
        }
    }

    @Test
    @DisplayName("the agent jar holds none of the classes of coio-detect-api and coio-junit, nor their service file: on a test class path the API is loaded once, from its own artifact")
    void publishedApiClassesAreNotInTheAgentJar() throws IOException {
        List<String> apiEntries = new ArrayList<>();
        for (Path api : List.of(AgentJvm.detectApiJar(), AgentJvm.junitJar())) {
            try (JarFile jar = new JarFile(api.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.endsWith(".class") || name.startsWith("META-INF/services/")) {
                        apiEntries.add(name);
                    }
                }
            }
        }
        assertTrue(apiEntries.contains("io/coio/agent/detect/CoioDetect.class"), apiEntries.toString());
        assertTrue(apiEntries.contains("io/coio/junit/CoioDetectExtension.class"), apiEntries.toString());
        assertTrue(apiEntries.contains("META-INF/services/org.junit.jupiter.api.extension.Extension"), apiEntries.toString());
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            List<String> duplicated = apiEntries.stream().filter(n -> jar.getEntry(n) != null).toList();
            assertEquals(List.of(), duplicated, "entries of the published API artifacts also in the agent jar");
        }
    }

    @Test
    @DisplayName("detect mode's default allow-list names the app's own Netty event loops, not the agent's relocated copy (the shade plugin rewrites string constants)")
    void defaultAllowListNamesTheAppsNetty() throws Exception {
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(
                new java.net.URL[] {agentJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> detector = Class.forName("io.coio.agent.internal.detect.Detector", true, loader);
            @SuppressWarnings("unchecked")
            List<String> allowed = (List<String>) detector.getField("DEFAULT_ALLOWED").get(null);
            assertTrue(allowed.contains("io.netty.channel.nio.NioEventLoop#select"), allowed.toString());
            assertTrue(allowed.stream().noneMatch(a -> a.contains("shaded")), allowed.toString());
        }
    }
}
