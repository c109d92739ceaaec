package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's precomputed rewrites (target/classes/META-INF/coio/precomputed, written by PrecomputeBuild from this
 * same JDK): used only for the exact bytes they were computed from, byte for byte what the run-time rewrite makes,
 * and checked from the installed bytes either way. The forked-JVM side (which path a real install takes, both modes):
 * integration-tests' PrecomputedRewritesTest.
 */
class PrecomputedClassesTest {
    @AfterEach
    void noForcedMismatch() {
        System.clearProperty(PrecomputedClasses.FORCE_MISMATCH);
    }

    @Test
    void theBuildShippedRewritesForEveryCoroutineTargetAndTheBridge() throws Exception {
        for (String owner : JdkRewriter.targets().keySet()) {
            byte[] original = JdkRewriterTest.jdkClass(owner);
            assertNotNull(PrecomputedClasses.rewritten(owner, original, config(owner)), owner);
        }
        assertNotNull(PrecomputedClasses.bridge(JdkRewriter.BRIDGE));
        assertNotNull(PrecomputedClasses.bridge(JdkBridge.APP_THREADS_AS));
    }

    /** After the install's rewrites no pack is held; a class rewritten later still gets its precomputed bytes. */
    @Test
    void packsAreReleasedAfterTheInstallAndReadAgainWhenNeeded() throws Exception {
        String owner = JdkRewriter.THREAD;
        byte[] original = JdkRewriterTest.jdkClass(owner);
        byte[] before = PrecomputedClasses.rewritten(owner, original, config(owner));
        assertNotNull(before);
        assertTrue(PrecomputedClasses.packsHeld() > 0, "the pack is read for the rewrite");
        PrecomputedClasses.releasePacks();
        assertEquals(0, PrecomputedClasses.packsHeld(), "packs held after the release");
        assertArrayEquals(before, PrecomputedClasses.rewritten(owner, original, config(owner)), "read again");
    }

    /** Fast path and run-time path give the same bytes: the precomputed ones are what ASM makes here and now. */
    @Test
    void precomputedBytesAreWhatTheRunTimeRewriteMakes() throws Exception {
        for (String owner : JdkRewriter.targets().keySet()) {
            byte[] original = JdkRewriterTest.jdkClass(owner);
            byte[] fast = new JdkRewriter().transform(null, null, owner, null, null, original);
            assertArrayEquals(PrecomputedClasses.rewritten(owner, original, config(owner)), fast, owner);
            System.setProperty(PrecomputedClasses.FORCE_MISMATCH, "true");
            assertTrue(PrecomputedClasses.rewritten(owner, original, config(owner)) == null,
                    owner + ": precomputed bytes used although the JVM's bytes differ (forced mismatch)");
            byte[] slow = new JdkRewriter().transform(null, null, owner, null, null, original);
            System.clearProperty(PrecomputedClasses.FORCE_MISMATCH);
            assertArrayEquals(fast, slow, owner + ": run-time rewrite differs from the precomputed one");
        }
        for (String b : new String[] {JdkRewriter.BRIDGE, JdkBridge.APP_THREADS_AS}) {
            String template = b.equals(JdkRewriter.BRIDGE) ? JdkBridge.TEMPLATE : JdkBridge.APP_THREADS_TEMPLATE;
            assertArrayEquals(BridgeRenamer.renamed(template, b), PrecomputedClasses.bridge(b), b);
        }
    }

    /** A JDK class whose bytes differ (here: one character of its SourceFile name) never gets the shipped rewrite. */
    @Test
    void aClassWithOtherBytesIsRewrittenAtRunTime() throws Exception {
        String owner = JdkRewriter.THREAD;
        byte[] original = JdkRewriterTest.jdkClass(owner);
        byte[] other = withSourceFile(original, "Thread.java", "Thread.javb");
        assertTrue(PrecomputedClasses.rewritten(owner, other, config(owner)) == null, "precomputed for other bytes");
        byte[] rewritten = new JdkRewriter().transform(null, null, owner, null, null, other);
        assertFalse(Arrays.equals(PrecomputedClasses.rewritten(owner, original, config(owner)), rewritten));
        assertTrue(contains(rewritten, "Thread.javb"), "not rewritten from the bytes the JVM handed over");
        assertEquals(JdkRewriter.targets().get(owner), HookScan.methodsCallingBridge(rewritten,
                JdkRewriter.targets().get(owner)));
        // another rewrite asked for (detect mode's watched calls) than the one a shipped entry was made for: not it
        assertTrue(PrecomputedClasses.rewritten(owner, original, config(owner) + "x") == null, "other config");
    }

    /** The install check reads the hooks from the installed bytes: none in the JDK's own, all in the shipped ones. */
    @Test
    void hooksAreReadFromTheInstalledBytes() throws Exception {
        for (String owner : JdkRewriter.targets().keySet()) {
            byte[] original = JdkRewriterTest.jdkClass(owner);
            Set<String> targets = JdkRewriter.targets().get(owner);
            assertEquals(Set.of(), HookScan.methodsCallingBridge(original, targets), owner);
            assertEquals(targets, HookScan.methodsCallingBridge(
                    PrecomputedClasses.rewritten(owner, original, config(owner)), targets), owner);
        }
    }

    /** Detect mode's default rewrite (every watched call of this JDK) is shipped and equal to the run-time one. */
    @Test
    void detectModeRewritesToo() throws Exception {
        Map<String, Map<String, BlockingCalls.Call>> byOwner =
                BlockingCalls.byOwner(BlockingCalls.ofKinds(BlockingCalls.allKinds()));
        for (Map.Entry<String, Map<String, BlockingCalls.Call>> e : byOwner.entrySet()) {
            byte[] original = JdkRewriterTest.jdkClass(e.getKey());
            byte[] shipped = PrecomputedClasses.rewritten(e.getKey(), original,
                    PrecomputedClasses.config(Set.of(), e.getValue()));
            assertNotNull(shipped, e.getKey());
            Set<String> methods = new HashSet<>(e.getValue().keySet());
            assertArrayEquals(AsmRewrite.rewrite(e.getKey(), methods, Set.of(), e.getValue(), original,
                    new HashSet<>()), shipped, e.getKey());
        }
    }

    private static String config(String owner) {
        return PrecomputedClasses.config(JdkRewriter.targets().get(owner), Map.of());
    }

    private static byte[] withSourceFile(byte[] classfile, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] out = classfile.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + f.length, f, 0, f.length)) {
                System.arraycopy(to.getBytes(StandardCharsets.UTF_8), 0, out, i, f.length);
                return out;
            }
        }
        throw new AssertionError(from + " not in the class file");
    }

    private static boolean contains(byte[] b, String s) {
        byte[] f = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + f.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + f.length, f, 0, f.length)) {
                return true;
            }
        }
        return false;
    }
}
