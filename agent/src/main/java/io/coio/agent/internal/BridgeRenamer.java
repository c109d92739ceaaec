package io.coio.agent.internal;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Renames a bridge template of the agent jar into its java.base name with ASM: run by the build
 * ({@link PrecomputeBuild}), whose output the agent defines; at run time only if the jar lacks that output.
 * A class of its own so that ASM is not loaded on the fast path. Compiled for Java 17 (agent/pom.xml).
 * Threads: stateless; any thread.
 */
final class BridgeRenamer {
    private BridgeRenamer() {
    }

    /** Template {@code template} (internal name) renamed to {@code as}, its references to the bridge template too. */
    static byte[] renamed(String template, String as) throws IOException {
        byte[] bytes;
        try (InputStream in = BridgeRenamer.class.getResourceAsStream("/" + template + ".class")) {
            if (in == null) {
                throw new IOException("bridge template " + template + " missing from the agent jar");
            }
            bytes = in.readAllBytes();
        }
        Map<String, String> names = new HashMap<>();
        names.put(JdkBridge.TEMPLATE, JdkRewriter.BRIDGE);
        names.put(JdkBridge.HOOKS_TEMPLATE, JdkBridge.HOOKS_AS);
        names.put(template, as);
        ClassWriter w = new ClassWriter(0);
        new ClassReader(bytes).accept(new ClassRemapper(w, new SimpleRemapper(names)), 0);
        return w.toByteArray();
    }
}
