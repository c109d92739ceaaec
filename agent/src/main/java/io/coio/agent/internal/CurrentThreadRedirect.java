package io.coio.agent.internal;

import java.nio.charset.StandardCharsets;

/**
 * Redirects a class's calls of {@code Thread.currentThread()} to another class's static {@code currentThread()} of
 * the same descriptor, by editing the class file's constant pool only: every {@code CONSTANT_Methodref}
 * {@code java/lang/Thread.currentThread:()Ljava/lang/Thread;} gets a new {@code CONSTANT_Class} (appended at the end
 * of the pool) as its owner. Every use of that static method goes through such an entry — {@code invokestatic}, and
 * the {@code MethodHandle} constants behind {@code Thread::currentThread} method references ({@code invokedynamic}
 * bootstrap arguments), {@code ldc} and dynamic constants — so all of them are redirected, and nothing else changes:
 * no instruction, offset, stack map frame or attribute moves, and existing pool indices stay valid.
 *
 * <p>Cost: one pass over the constant pool and, only for a class that calls the method, one array copy; no class-file
 * parser, no method is read. A class without such an entry (most classes) is answered {@code null} after the pass.
 * An {@code InterfaceMethodref} to it is left alone (never emitted by javac for a class; it fails to link either way).
 *
 * <p>Stateless; any thread.
 */
final class CurrentThreadRedirect {
    private static final byte[] THREAD = utf8("java/lang/Thread");
    private static final byte[] CURRENT_THREAD = utf8("currentThread");
    private static final byte[] DESCRIPTOR = utf8("()Ljava/lang/Thread;");

    // constant pool tags (JVMS 4.4)
    private static final int UTF8 = 1;
    private static final int INTEGER = 3;
    private static final int FLOAT = 4;
    private static final int LONG = 5;
    private static final int DOUBLE = 6;
    private static final int CLASS = 7;
    private static final int STRING = 8;
    private static final int FIELDREF = 9;
    private static final int METHODREF = 10;
    private static final int INTERFACE_METHODREF = 11;
    private static final int NAME_AND_TYPE = 12;
    private static final int METHOD_HANDLE = 15;
    private static final int METHOD_TYPE = 16;
    private static final int DYNAMIC = 17;
    private static final int INVOKE_DYNAMIC = 18;
    private static final int MODULE = 19;
    private static final int PACKAGE = 20;

    /** Where the constant pool starts: after magic, minor and major version, and the pool's count. */
    private static final int POOL = 10;

    private CurrentThreadRedirect() {
    }

    /**
     * The class file with its {@code Thread.currentThread()} calls redirected to {@code newOwner} (an internal name
     * such as {@code java/lang/CoioThreads}), or null if it has none.
     *
     * @throws IllegalArgumentException if the bytes are not a class file this can read (truncated, an unknown
     *                                  constant tag, a pool that is already full)
     */
    static byte[] redirect(byte[] classfile, String newOwner) {
        try {
            return redirectOrNull(classfile, newOwner);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("malformed class file (an index or length points past its end)", e);
        }
    }

    private static byte[] redirectOrNull(byte[] b, String newOwner) {
        if (u4(b, 0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        int count = u2(b, POOL - 2);
        int[] offsets = new int[count]; // offset of each entry's tag; 0 for the unusable slot after a long/double
        int currentThread = 0;
        int offset = POOL;
        for (int i = 1; i < count; i++) {
            offsets[i] = offset;
            int tag = b[offset] & 0xFF;
            switch (tag) {
                case UTF8 -> {
                    int length = u2(b, offset + 1);
                    if (currentThread == 0 && equal(b, offset + 3, length, CURRENT_THREAD)) {
                        currentThread = i;
                    }
                    offset += 3 + length;
                }
                case INTEGER, FLOAT, FIELDREF, METHODREF, INTERFACE_METHODREF, NAME_AND_TYPE, DYNAMIC, INVOKE_DYNAMIC ->
                        offset += 5;
                case LONG, DOUBLE -> {
                    offset += 9;
                    i++; // takes two slots
                }
                case CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE -> offset += 3;
                case METHOD_HANDLE -> offset += 4;
                default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        if (currentThread == 0) {
            return null; // no entry names a method "currentThread"
        }
        int[] calls = new int[4];
        int found = 0;
        for (int i = 1; i < count; i++) {
            int at = offsets[i];
            if (at != 0 && (b[at] & 0xFF) == METHODREF && isCurrentThread(b, offsets, at, currentThread)) {
                if (found == calls.length) {
                    calls = java.util.Arrays.copyOf(calls, found * 2);
                }
                calls[found++] = at;
            }
        }
        if (found == 0) {
            return null;
        }
        if (count + 2 > 0xFFFF) {
            throw new IllegalArgumentException("constant pool full");
        }
        byte[] owner = utf8(newOwner);
        byte[] added = new byte[3 + owner.length + 3]; // CONSTANT_Utf8 newOwner, CONSTANT_Class -> it
        added[0] = UTF8;
        put2(added, 1, owner.length);
        System.arraycopy(owner, 0, added, 3, owner.length);
        added[3 + owner.length] = CLASS;
        put2(added, 4 + owner.length, count); // the Utf8 just appended has index count
        byte[] out = new byte[b.length + added.length];
        System.arraycopy(b, 0, out, 0, offset);
        System.arraycopy(added, 0, out, offset, added.length);
        System.arraycopy(b, offset, out, offset + added.length, b.length - offset);
        put2(out, POOL - 2, count + 2);
        for (int k = 0; k < found; k++) {
            put2(out, calls[k] + 1, count + 1); // Methodref.class_index -> the appended Class
        }
        return out;
    }

    /** Is the Methodref at {@code at} {@code java/lang/Thread.currentThread:()Ljava/lang/Thread;}? */
    private static boolean isCurrentThread(byte[] b, int[] offsets, int at, int currentThreadUtf8) {
        int nameAndType = offsets[u2(b, at + 3)];
        if ((b[nameAndType] & 0xFF) != NAME_AND_TYPE || u2(b, nameAndType + 1) != currentThreadUtf8
                && !utf8Is(b, offsets, u2(b, nameAndType + 1), CURRENT_THREAD)) {
            return false;
        }
        if (!utf8Is(b, offsets, u2(b, nameAndType + 3), DESCRIPTOR)) {
            return false;
        }
        int owner = offsets[u2(b, at + 1)];
        return (b[owner] & 0xFF) == CLASS && utf8Is(b, offsets, u2(b, owner + 1), THREAD);
    }

    private static boolean utf8Is(byte[] b, int[] offsets, int index, byte[] expected) {
        int at = offsets[index];
        return (b[at] & 0xFF) == UTF8 && equal(b, at + 3, u2(b, at + 1), expected);
    }

    private static boolean equal(byte[] b, int from, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (b[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8); // ASCII names: modified UTF-8 is the same bytes
    }

    private static int u2(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static int u4(byte[] b, int at) {
        return u2(b, at) << 16 | u2(b, at + 2);
    }

    private static void put2(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }
}
