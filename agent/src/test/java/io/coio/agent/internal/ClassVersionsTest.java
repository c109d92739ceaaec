package io.coio.agent.internal;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK policy as class-file versions (agent/README.md, "Java versions and how the jar is compiled"): the entry
 * class loads on Java 8, every coio class detect mode can reach from its Java 17-24 entry loads on Java 17 (and
 * none of the runtime, which is coroutine mode's), coroutine mode's installer needs Java 25.
 */
class ClassVersionsTest {
    static final int JAVA_8 = 52;
    static final int JAVA_17 = 61;
    static final int JAVA_25 = 69;

    @Test
    void theEntryClassLoadsOnJava8() throws IOException {
        assertEquals(JAVA_8, major("io/coio/agent/CoioAgent"));
    }

    @Test
    void everyCoioClassDetectModeCanReachLoadsOnJava17() throws IOException {
        Set<String> reached = reachable(List.of("io/coio/agent/internal/BelowJava25",
                "io/coio/agent/internal/bridge/CoioBridge")); // the bridge is read as bytes, not referenced
        assertTrue(reached.contains("io/coio/agent/internal/detect/Detector"), reached.toString());
        assertTrue(reached.contains("io/coio/agent/internal/JdkRewriter"), reached.toString());
        List<String> tooNew = new ArrayList<>();
        for (String c : reached) {
            int major = major(c);
            if (major > JAVA_17 || c.startsWith("io/coio/runtime/")) {
                tooNew.add(c + " (class file " + major + ")");
            }
        }
        assertEquals(List.of(), tooNew, "reachable from detect mode's entry but not loadable on Java 17");
    }

    @Test
    void coroutineModeNeedsJava25() throws IOException {
        assertEquals(JAVA_25, major("io/coio/agent/internal/Installer"));
        assertEquals(JAVA_25, major("io/coio/agent/internal/ThreadConversion"));
    }

    /** Every io/coio class referenced, transitively, from {@code roots} (roots included). */
    private static Set<String> reachable(List<String> roots) throws IOException {
        Set<String> seen = new LinkedHashSet<>(roots);
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String c = todo.pop();
            Set<String> refs = new LinkedHashSet<>();
            new ClassReader(bytes(c)).accept(new ClassRemapper(new ClassWriter(0), new Remapper(Opcodes.ASM9) {
                @Override
                public String map(String internalName) {
                    refs.add(internalName);
                    return internalName;
                }
            }), 0);
            for (String r : refs) {
                if (r.startsWith("io/coio/") && seen.add(r)) {
                    todo.push(r);
                }
            }
        }
        return seen;
    }

    private static int major(String internalName) throws IOException {
        byte[] b = bytes(internalName);
        return ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    }

    private static byte[] bytes(String internalName) throws IOException {
        try (InputStream in = ClassVersionsTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            if (in == null) {
                throw new IOException("no class file for " + internalName);
            }
            return in.readAllBytes();
        }
    }
}
