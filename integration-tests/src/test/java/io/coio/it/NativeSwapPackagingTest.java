package io.coio.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coio.it.harness.AgentJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The agent jar carries native-swap: its Java API and its library under a platform-qualified name. */
class NativeSwapPackagingTest {
    @Test
    @DisplayName("the agent jar carries NativeCall and META-INF/native/libcoio_swap_linux_x86_64.so (platform in the name)")
    void agentJarCarriesNativeSwap() throws IOException {
        Path jar = AgentJvm.agentJar();
        assertTrue(Files.isRegularFile(jar), "agent jar not built: " + jar);
        try (JarFile j = new JarFile(jar.toFile())) {
            assertNotNull(j.getEntry("META-INF/native/libcoio_swap_linux_x86_64.so"), "native-swap library missing");
            assertNull(j.getEntry("META-INF/native/libcoio_swap.so"), "library packed without its platform in the name");
            assertNotNull(j.getEntry("io/coio/nativeswap/NativeCall.class"), "NativeCall missing");
            assertNotNull(j.getEntry("io/coio/runtime/NativeWaits.class"), "NativeWaits missing");
        }
    }
}
