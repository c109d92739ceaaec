package io.coio.agent.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads, from the bytes of a class file as they are installed, which of the asked-for methods call the bridge:
 * the install check ({@link JdkRewriter#checkEveryTargetHooked}) counts a JDK member as hooked only if the bytes
 * the JVM got for its class have it, with code, and that code calls {@code sun.nio.ch.CoioBridge}. The same for
 * bytes rewritten at run time and bytes taken precomputed from the agent jar ({@link PrecomputedClasses}).
 *
 * <p>A plain walk over the class file (JVMS 4): constant pool, fields skipped, each method's {@code Code} attribute
 * searched for an {@code invokestatic} of a bridge {@code Methodref}. The search looks at every byte of the code, not
 * instruction by instruction: an operand that happens to look like such a call would count (the check would be
 * weaker, never fail wrongly); a bridge call that is there is always found. No ASM: it runs on the fast path.
 * Compiled for Java 17 (agent/pom.xml). Threads: stateless; any thread.
 */
final class HookScan {
    private static final int INVOKESTATIC = 0xB8;
    private static final byte[] BRIDGE = JdkRewriter.BRIDGE.getBytes(StandardCharsets.UTF_8);
    private static final byte[] CODE = "Code".getBytes(StandardCharsets.UTF_8);
    private static final int ACC_NATIVE = 0x0100;
    private static final int ACC_ABSTRACT = 0x0400;

    private HookScan() {
    }

    /** Name + descriptor of each method of {@code wanted} that {@code classfile} has with code calling the bridge. */
    static Set<String> methodsCallingBridge(byte[] classfile, Set<String> wanted) {
        byte[] b = classfile;
        int count = u2(b, 8);
        int[] offsets = new int[count];
        int at = 10;
        for (int i = 1; i < count; i++) {
            offsets[i] = at;
            int tag = b[at] & 0xFF;
            switch (tag) {
                case 1 -> at += 3 + u2(b, at + 1);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> at += 5;
                case 5, 6 -> {
                    at += 9;
                    i++;
                }
                case 7, 8, 16, 19, 20 -> at += 3;
                case 15 -> at += 4;
                default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        boolean[] bridgeMethod = new boolean[count];
        boolean anyBridgeCall = false;
        for (int i = 1; i < count; i++) {
            int o = offsets[i];
            if (o != 0 && (b[o] & 0xFF) == 10) { // Methodref -> Class -> Utf8
                int cls = offsets[u2(b, o + 1)];
                if (utf8Equals(b, offsets[u2(b, cls + 1)], BRIDGE)) {
                    bridgeMethod[i] = true;
                    anyBridgeCall = true;
                }
            }
        }
        Set<String> found = new HashSet<>();
        if (!anyBridgeCall) {
            return found;
        }
        at += 6; // access, this, super
        at += 2 + 2 * u2(b, at); // interfaces
        at = skipMembers(b, at);
        int methods = u2(b, at);
        at += 2;
        for (int m = 0; m < methods; m++) {
            int access = u2(b, at);
            String key = utf8(b, offsets[u2(b, at + 2)]) + utf8(b, offsets[u2(b, at + 4)]);
            int attributes = u2(b, at + 6);
            at += 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(b, at + 2);
                if ((access & (ACC_NATIVE | ACC_ABSTRACT)) == 0 && wanted.contains(key)
                        && utf8Equals(b, offsets[u2(b, at)], CODE) && callsBridge(b, at + 6, bridgeMethod)) {
                    found.add(key);
                }
                at += 6 + length;
            }
        }
        return found;
    }

    /** Does the Code attribute whose body starts at {@code at} contain an invokestatic of a bridge method? */
    private static boolean callsBridge(byte[] b, int at, boolean[] bridgeMethod) {
        int codeLength = u4(b, at + 4);
        int code = at + 8;
        for (int i = code; i + 2 < code + codeLength; i++) {
            if ((b[i] & 0xFF) == INVOKESTATIC) {
                int index = u2(b, i + 1);
                if (index < bridgeMethod.length && bridgeMethod[index]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Skips the fields (count, then each with its attributes); returns the offset of the methods count. */
    private static int skipMembers(byte[] b, int at) {
        int n = u2(b, at);
        at += 2;
        for (int f = 0; f < n; f++) {
            int attributes = u2(b, at + 6);
            at += 8;
            for (int a = 0; a < attributes; a++) {
                at += 6 + u4(b, at + 2);
            }
        }
        return at;
    }

    private static boolean utf8Equals(byte[] b, int offset, byte[] s) {
        if ((b[offset] & 0xFF) != 1 || u2(b, offset + 1) != s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b[offset + 3 + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    /** The Utf8 entry at {@code offset} (modified UTF-8; the JDK's member names and descriptors are ASCII). */
    private static String utf8(byte[] b, int offset) {
        return new String(b, offset + 3, u2(b, offset + 1), StandardCharsets.UTF_8);
    }

    private static int u2(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u4(byte[] b, int at) {
        return (u2(b, at) << 16) | u2(b, at + 2);
    }
}
