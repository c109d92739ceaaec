package io.coio.agent.internal.detect;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each JDK's table of watched methods names methods that exist in that JDK, with a body (not native): checked
 * against the class files of the running JDK 25 and of the JDK 17 installed on the machine (read through its own
 * jrt file system). JDK 21's table cannot be checked here: no JDK 21 is installed (said in agent/README.md).
 */
class BlockingCallsTableTest {
    static final Path JDK_17 = Paths.get("/usr/lib/jvm/java-17-openjdk-amd64");

    @Test
    void everyRowOfTheRunningJdksTableIsAJavaMethodOfIt() throws IOException {
        assertEquals(BlockingCalls.table(Runtime.version().feature()), BlockingCalls.ALL);
        assertEquals(List.of(), problems(BlockingCalls.ALL, FileSystems.getFileSystem(URI.create("jrt:/"))));
    }

    @Test
    void everyRowOfJdk17sTableIsAJavaMethodOfJdk17() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(JDK_17), "no JDK 17 at " + JDK_17);
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", JDK_17.toString()))) {
            assertEquals(List.of(), problems(BlockingCalls.table(17), jrt));
            assertTrue(!problems(BlockingCalls.table(25), jrt).isEmpty(), "JDK 25's table does not fit JDK 17");
            // the gaps said at start-up are real: both are native on 17 (and Java methods on 25)
            Map<String, Integer> thread = methods(jrt, "java/lang/Thread");
            Map<String, Integer> object = methods(jrt, "java/lang/Object");
            assertTrue((thread.get("sleep(J)V") & Opcodes.ACC_NATIVE) != 0, "Thread.sleep(long) native on 17");
            assertTrue((object.get("wait(J)V") & Opcodes.ACC_NATIVE) != 0, "Object.wait(long) native on 17");
        }
        assertEquals(2, BlockingCalls.unwatchable(17).size());
        assertEquals(List.of(), BlockingCalls.unwatchable(25));
    }

    /** "owner.name desc: why" for each row that is not a non-native, non-abstract method in {@code jrt}. */
    private static List<String> problems(List<BlockingCalls.Call> rows, FileSystem jrt) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Integer>> classes = new HashMap<>();
        for (BlockingCalls.Call c : rows) {
            Map<String, Integer> methods = classes.get(c.owner());
            if (methods == null) {
                methods = methods(jrt, c.owner());
                classes.put(c.owner(), methods);
            }
            Integer access = methods.get(c.name() + c.desc());
            if (access == null) {
                problems.add(c.key() + ": not found");
            } else if ((access & (Opcodes.ACC_NATIVE | Opcodes.ACC_ABSTRACT)) != 0) {
                problems.add(c.key() + ": native or abstract");
            }
        }
        return problems;
    }

    /** name + desc -> access flags of every method of class {@code owner} in {@code jrt}'s java.base. */
    private static Map<String, Integer> methods(FileSystem jrt, String owner) throws IOException {
        Map<String, Integer> methods = new HashMap<>();
        Path file = jrt.getPath("modules", "java.base", owner + ".class");
        if (!Files.exists(file)) {
            return methods;
        }
        new ClassReader(Files.readAllBytes(file)).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                methods.put(name + desc, access);
                return null;
            }
        }, ClassReader.SKIP_CODE);
        return methods;
    }
}
