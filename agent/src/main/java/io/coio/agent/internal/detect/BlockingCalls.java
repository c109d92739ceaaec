package io.coio.agent.internal.detect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JDK methods that coio watches for blocking calls (detect mode, and coroutine mode's {@code report=all}):
 * one row per rewritten method. The rewriter gives each one the prologue
 * {@code CoioBridge.blocking(<id>, <this or null>, <long argument or 0>);} and the {@link Detector} decides, from
 * the row, whether the call really blocks and how to name it in a report.
 *
 * <p>Each row is the lowest Java-level method of the running JDK that every public way to make that call goes
 * through, so one user call gives one report. The table is JDK 25's; where JDK 21 (used for 19-24) or JDK 17
 * (used for 17-18) differ, the rows differ (see {@link #table}). What cannot be watched on the running JDK is listed
 * by {@link #unwatchable()} and printed at start-up; a row not found in the running JDK is reported by the
 * rewriter ({@code coio: cannot watch ...}). Only the JDK 25 and JDK 17 tables are tested (JDK 21 is not
 * installed where coio is built). Where a public method (say {@code FileInputStream.readAllBytes}) calls
 * another watched one, only the watched one fires; where a watched method calls another watched method
 * ({@code Process.waitFor} parks in {@code LockSupport.park}), the {@link Detector} reports the outer one only.
 *
 * <p>Not API. Compiled for Java 17 (detect mode runs there).
 */
public final class BlockingCalls {
    /** The running JDK's feature version: which rows the table holds. */
    static final int JDK = Runtime.version().feature();

    /** What kind of wait; {@link #blocksCarrier()} says whether it also blocks a coio coroutine's carrier. */
    public enum Kind {
        SOCKET, SLEEP, WAIT, PARK, FILE, DNS, PROCESS, SELECT;

        /** True for calls that cannot yield on a coroutine either: they block the carrier thread itself. */
        public boolean blocksCarrier() {
            return this == FILE || this == DNS;
        }
    }

    /** When a call of the method really is a blocking call. */
    public enum When {
        /** Every call. */
        ALWAYS,
        /** {@code this} is a {@code SelectableChannel} in blocking mode (non-blocking channels never wait). */
        CHANNEL_IN_BLOCKING_MODE,
        /** The long argument is &gt; 0 ({@code parkNanos(0)} returns at once). */
        ARG_POSITIVE,
        /** The long argument is not 0 ({@code selectNow()} passes 0). */
        ARG_NONZERO,
        /** {@code this} is not the JVM's stdout/stderr stream (console output is exempt, as in BlockHound). */
        NOT_STANDARD_STREAM
    }

    /**
     * One watched method.
     *
     * @param id          index in {@link #ALL}; the constant the prologue passes to the bridge
     * @param owner       internal name of the JDK class
     * @param name        method name
     * @param desc        method descriptor
     * @param display     the name a report uses: the public API the user called
     * @param passThis    the prologue passes {@code this} (the condition needs it); otherwise null
     * @param longArgSlot local-variable slot of the long argument the prologue passes, or -1 (passes 0)
     */
    public record Call(int id, String owner, String name, String desc, String display, Kind kind, When when,
                       boolean passThis, int longArgSlot) {

        /** {@code owner.name desc}, e.g. {@code java/lang/Thread.sleepNanos(J)V}. */
        public String key() {
            return owner + "." + name + desc;
        }

        /** {@code java.lang.Thread}. */
        public String className() {
            return owner.replace('/', '.');
        }
    }

    /** The table being built by {@link #table}; guarded by the class lock. */
    private static List<Call> building;

    /**
     * The rows for JDK {@code jdk} (feature version); {@link #ALL} is the running JDK's. Other versions' tables
     * are for tests, which check them against those JDKs' class files.
     */
    static synchronized List<Call> table(int jdk) {
        // Which JDK's internals: 25's from 25 on; 21's from 19 (where Loom made sleep and wait Java methods) to 24;
        // 17's below. Only 25 and 17 are tested; elsewhere a row not found is said at start-up.
        int era = jdk >= 25 ? 25 : jdk >= 19 ? 21 : 17;
        building = new ArrayList<>();
        // ---- sleep, wait, park (j.u.c locks, queues, futures all park through LockSupport) ----
        String sleep = "java.lang.Thread.sleep";
        if (era >= 25) {
            add("java/lang/Thread", "sleepNanos", "(J)V", sleep, Kind.SLEEP, When.ALWAYS); // every overload calls it
        } else if (era >= 21) { // each overload calls the native sleep0 itself
            add("java/lang/Thread", "sleep", "(J)V", sleep, Kind.SLEEP, When.ALWAYS);
            add("java/lang/Thread", "sleep", "(JI)V", sleep, Kind.SLEEP, When.ALWAYS);
            add("java/lang/Thread", "sleep", "(Ljava/time/Duration;)V", sleep, Kind.SLEEP, When.ALWAYS);
        } else { // JDK 17: sleep(long) is native (see unwatchable()); sleep(long, int) calls it
            add("java/lang/Thread", "sleep", "(JI)V", sleep, Kind.SLEEP, When.ALWAYS);
        }
        if (era >= 21) {
            add("java/lang/Object", "wait", "(J)V", "java.lang.Object.wait", Kind.WAIT, When.ALWAYS);
        } else { // JDK 17: wait(long) is native; wait() and wait(long, int) call it, Thread.join calls it itself
            add("java/lang/Object", "wait", "()V", "java.lang.Object.wait", Kind.WAIT, When.ALWAYS);
            add("java/lang/Object", "wait", "(JI)V", "java.lang.Object.wait", Kind.WAIT, When.ALWAYS);
            add("java/lang/Thread", "join", "(J)V", "java.lang.Thread.join", Kind.WAIT, When.ALWAYS); // join(), join(long, int) call it
        }
        String ls = "java/util/concurrent/locks/LockSupport";
        String lsName = "java.util.concurrent.locks.LockSupport.";
        add(ls, "park", "(Ljava/lang/Object;)V", lsName + "park", Kind.PARK, When.ALWAYS);
        add(ls, "park", "()V", lsName + "park", Kind.PARK, When.ALWAYS);
        add(ls, "parkNanos", "(Ljava/lang/Object;J)V", lsName + "parkNanos", Kind.PARK, When.ARG_POSITIVE, false, 1);
        add(ls, "parkNanos", "(J)V", lsName + "parkNanos", Kind.PARK, When.ARG_POSITIVE, false, 0);
        add(ls, "parkUntil", "(J)V", lsName + "parkUntil", Kind.PARK, When.ALWAYS); // JDK 25: parkUntil(Object, long) calls it
        if (era < 25) {
            add(ls, "parkUntil", "(Ljava/lang/Object;J)V", lsName + "parkUntil", Kind.PARK, When.ALWAYS);
        }

        // ---- java.net.Socket / ServerSocket (NioSocketImpl) ----
        String nio = "sun/nio/ch/NioSocketImpl";
        add(nio, "read", "([BII)I", "java.net.Socket.getInputStream().read", Kind.SOCKET, When.ALWAYS);
        add(nio, "write", "([BII)V", "java.net.Socket.getOutputStream().write", Kind.SOCKET, When.ALWAYS);
        add(nio, "connect", "(Ljava/net/SocketAddress;I)V", "java.net.Socket.connect", Kind.SOCKET, When.ALWAYS);
        add(nio, "accept", "(Ljava/net/SocketImpl;)V", "java.net.ServerSocket.accept", Kind.SOCKET, When.ALWAYS);

        // ---- blocking NIO channels, and the java.net adaptors over them (socket(), DatagramSocket) ----
        String sc = "sun/nio/ch/SocketChannelImpl";
        String scName = "java.nio.channels.SocketChannel.";
        channel(sc, "read", "(Ljava/nio/ByteBuffer;)I", scName + "read");
        channel(sc, "read", "([Ljava/nio/ByteBuffer;II)J", scName + "read");
        channel(sc, "write", "(Ljava/nio/ByteBuffer;)I", scName + "write");
        channel(sc, "write", "([Ljava/nio/ByteBuffer;II)J", scName + "write");
        channel(sc, "connect", "(Ljava/net/SocketAddress;)Z", scName + "connect");
        channel(sc, "finishConnect", "()Z", scName + "finishConnect");
        add(sc, "blockingConnect", "(Ljava/net/SocketAddress;J)V", "java.net.Socket.connect", Kind.SOCKET, When.ALWAYS);
        add(sc, "blockingRead", "([BIIJ)I", "java.net.Socket.getInputStream().read", Kind.SOCKET, When.ALWAYS);
        add(sc, "blockingWriteFully", "([BII)V", "java.net.Socket.getOutputStream().write", Kind.SOCKET, When.ALWAYS);
        String ssc = "sun/nio/ch/ServerSocketChannelImpl";
        channel(ssc, "accept", "()Ljava/nio/channels/SocketChannel;", "java.nio.channels.ServerSocketChannel.accept");
        add(ssc, "blockingAccept", "(J)Ljava/nio/channels/SocketChannel;", "java.net.ServerSocket.accept",
                Kind.SOCKET, When.ALWAYS);
        String dc = "sun/nio/ch/DatagramChannelImpl";
        String dcName = "java.nio.channels.DatagramChannel.";
        channel(dc, "receive", "(Ljava/nio/ByteBuffer;)Ljava/net/SocketAddress;", dcName + "receive");
        channel(dc, "send", "(Ljava/nio/ByteBuffer;Ljava/net/SocketAddress;)I", dcName + "send");
        channel(dc, "read", "(Ljava/nio/ByteBuffer;)I", dcName + "read");
        channel(dc, "read", "([Ljava/nio/ByteBuffer;II)J", dcName + "read");
        channel(dc, "write", "(Ljava/nio/ByteBuffer;)I", dcName + "write");
        channel(dc, "write", "([Ljava/nio/ByteBuffer;II)J", dcName + "write");
        String packetOrBuffer = era >= 21 ? "Ljava/net/DatagramPacket;" : "Ljava/nio/ByteBuffer;";
        add(dc, "blockingReceive", "(" + packetOrBuffer + "J)" + (era >= 21 ? "V" : "Ljava/net/SocketAddress;"),
                "java.net.DatagramSocket.receive", Kind.SOCKET, When.ALWAYS);
        add(dc, "blockingSend", "(" + packetOrBuffer + (era >= 21 ? "" : "Ljava/net/SocketAddress;") + ")V",
                "java.net.DatagramSocket.send", Kind.SOCKET, When.ALWAYS);
        channel("sun/nio/ch/SourceChannelImpl", "read", "(Ljava/nio/ByteBuffer;)I", "java.nio.channels.Pipe.SourceChannel.read");
        channel("sun/nio/ch/SourceChannelImpl", "read", "([Ljava/nio/ByteBuffer;II)J", "java.nio.channels.Pipe.SourceChannel.read");
        channel("sun/nio/ch/SinkChannelImpl", "write", "(Ljava/nio/ByteBuffer;)I", "java.nio.channels.Pipe.SinkChannel.write");
        channel("sun/nio/ch/SinkChannelImpl", "write", "([Ljava/nio/ByteBuffer;II)J", "java.nio.channels.Pipe.SinkChannel.write");

        // ---- files ----
        String fis = "java/io/FileInputStream";
        add(fis, "read", "()I", "java.io.FileInputStream.read", Kind.FILE, When.ALWAYS);
        add(fis, "read", "([B)I", "java.io.FileInputStream.read", Kind.FILE, When.ALWAYS);
        add(fis, "read", "([BII)I", "java.io.FileInputStream.read", Kind.FILE, When.ALWAYS);
        String fos = "java/io/FileOutputStream";
        add(fos, "write", "(I)V", "java.io.FileOutputStream.write", Kind.FILE, When.NOT_STANDARD_STREAM, true, -1);
        add(fos, "write", "([B)V", "java.io.FileOutputStream.write", Kind.FILE, When.NOT_STANDARD_STREAM, true, -1);
        add(fos, "write", "([BII)V", "java.io.FileOutputStream.write", Kind.FILE, When.NOT_STANDARD_STREAM, true, -1);
        String raf = "java/io/RandomAccessFile";
        add(raf, "read", "()I", "java.io.RandomAccessFile.read", Kind.FILE, When.ALWAYS);
        add(raf, "write", "(I)V", "java.io.RandomAccessFile.write", Kind.FILE, When.ALWAYS);
        if (era >= 21) {
            add(raf, "readBytes", "([BII)I", "java.io.RandomAccessFile.read", Kind.FILE, When.ALWAYS);
            add(raf, "writeBytes", "([BII)V", "java.io.RandomAccessFile.write", Kind.FILE, When.ALWAYS);
        } else { // JDK 17: readBytes/writeBytes are native; these are their Java callers (readFully calls read)
            add(raf, "read", "([B)I", "java.io.RandomAccessFile.read", Kind.FILE, When.ALWAYS);
            add(raf, "read", "([BII)I", "java.io.RandomAccessFile.read", Kind.FILE, When.ALWAYS);
            add(raf, "write", "([B)V", "java.io.RandomAccessFile.write", Kind.FILE, When.ALWAYS);
            add(raf, "write", "([BII)V", "java.io.RandomAccessFile.write", Kind.FILE, When.ALWAYS);
        }
        String fc = "sun/nio/ch/FileChannelImpl";
        String fcName = "java.nio.channels.FileChannel.";
        add(fc, "read", "(Ljava/nio/ByteBuffer;)I", fcName + "read", Kind.FILE, When.ALWAYS);
        add(fc, "read", "([Ljava/nio/ByteBuffer;II)J", fcName + "read", Kind.FILE, When.ALWAYS);
        add(fc, "read", "(Ljava/nio/ByteBuffer;J)I", fcName + "read", Kind.FILE, When.ALWAYS);
        add(fc, "write", "(Ljava/nio/ByteBuffer;)I", fcName + "write", Kind.FILE, When.ALWAYS);
        add(fc, "write", "([Ljava/nio/ByteBuffer;II)J", fcName + "write", Kind.FILE, When.ALWAYS);
        add(fc, "write", "(Ljava/nio/ByteBuffer;J)I", fcName + "write", Kind.FILE, When.ALWAYS);
        add(fc, "transferTo", "(JJLjava/nio/channels/WritableByteChannel;)J", fcName + "transferTo", Kind.FILE, When.ALWAYS);
        add(fc, "transferFrom", "(Ljava/nio/channels/ReadableByteChannel;JJ)J", fcName + "transferFrom", Kind.FILE, When.ALWAYS);
        add(fc, "force", "(Z)V", fcName + "force", Kind.FILE, When.ALWAYS);
        add(fc, "lock", "(JJZ)Ljava/nio/channels/FileLock;", fcName + "lock", Kind.FILE, When.ALWAYS);

        // ---- DNS: every host-name lookup, cached or not (a cache miss blocks; a CI run must not depend on it) ----
        add("java/net/InetAddress", "getAllByName0", era >= 25 ? "(Ljava/lang/String;Z)[Ljava/net/InetAddress;"
                        : era >= 21 ? "(Ljava/lang/String;ZZ)[Ljava/net/InetAddress;"
                        : "(Ljava/lang/String;Ljava/net/InetAddress;ZZ)[Ljava/net/InetAddress;",
                "java.net.InetAddress.getAllByName", Kind.DNS, When.ALWAYS);
        add("java/net/InetAddress", "getHostFromNameService", era >= 25 ? "(Ljava/net/InetAddress;)Ljava/lang/String;"
                        : "(Ljava/net/InetAddress;Z)Ljava/lang/String;",
                "java.net.InetAddress.getHostName", Kind.DNS, When.ALWAYS);

        // ---- processes, selectors ----
        add("java/lang/ProcessImpl", "waitFor", "()I", "java.lang.Process.waitFor", Kind.PROCESS, When.ALWAYS);
        add("java/lang/ProcessImpl", "waitFor", "(JLjava/util/concurrent/TimeUnit;)Z", "java.lang.Process.waitFor",
                Kind.PROCESS, When.ALWAYS);
        add("sun/nio/ch/SelectorImpl", "lockAndDoSelect", "(Ljava/util/function/Consumer;J)I",
                "java.nio.channels.Selector.select", Kind.SELECT, When.ARG_NONZERO, false, 2);
        List<Call> rows = List.copyOf(building);
        building = null;
        return rows;
    }

    /** Every watched method, indexed by {@link Call#id()}. */
    public static final List<Call> ALL = table(JDK);

    private BlockingCalls() {
    }

    private static void add(String owner, String name, String desc, String display, Kind kind, When when) {
        add(owner, name, desc, display, kind, when, false, -1);
    }

    private static void channel(String owner, String name, String desc, String display) {
        add(owner, name, desc, display, Kind.SOCKET, When.CHANNEL_IN_BLOCKING_MODE, true, -1);
    }

    private static void add(String owner, String name, String desc, String display, Kind kind, When when,
                            boolean passThis, int longArgSlot) {
        building.add(new Call(building.size(), owner, name, desc, display, kind, when, passThis, longArgSlot));
    }

    /**
     * The blocking calls that cannot be watched on the running JDK, one sentence each saying why and what is
     * watched instead; printed at start-up. Empty from JDK 19 on.
     */
    public static List<String> unwatchable() {
        return unwatchable(JDK);
    }

    /** {@link #unwatchable()} for JDK {@code jdk}. */
    static List<String> unwatchable(int jdk) {
        if (jdk >= 19) {
            return List.of();
        }
        return List.of(
                "on Java " + jdk + ", direct calls of Thread.sleep(long) are not reported: it is a native method, and a"
                        + " running JVM cannot give a native method a prologue (Thread.sleep(long, int) and"
                        + " TimeUnit.sleep are reported)",
                "on Java " + jdk + ", direct calls of Object.wait(long) are not reported: it is a native method, and a"
                        + " running JVM cannot give a native method a prologue (Object.wait(), Object.wait(long, int)"
                        + " and Thread.join are reported)");
    }

    /** The rows of the given kinds. */
    public static List<Call> ofKinds(Set<Kind> kinds) {
        List<Call> r = new ArrayList<>();
        for (Call c : ALL) {
            if (kinds.contains(c.kind())) {
                r.add(c);
            }
        }
        return List.copyOf(r);
    }

    /** Every kind: detect mode. */
    public static Set<Kind> allKinds() {
        return EnumSet.allOf(Kind.class);
    }

    /** The kinds that block a coroutine's carrier: coroutine mode's {@code report=all}. */
    public static Set<Kind> carrierBlockingKinds() {
        EnumSet<Kind> s = EnumSet.noneOf(Kind.class);
        for (Kind k : Kind.values()) {
            if (k.blocksCarrier()) {
                s.add(k);
            }
        }
        return s;
    }

    /** owner internal name -> (name + desc -> row), the rewriter's view. */
    public static Map<String, Map<String, Call>> byOwner(Collection<Call> calls) {
        Map<String, Map<String, Call>> m = new HashMap<>();
        for (Call c : calls) {
            Map<String, Call> rows = m.get(c.owner()); // not computeIfAbsent's lambda: this runs at start-up
            if (rows == null) {
                rows = new HashMap<>();
                m.put(c.owner(), rows);
            }
            rows.put(c.name() + c.desc(), c);
        }
        return m;
    }

    /** The binary class names ({@code java.lang.Thread}) of the owners of {@code calls}. */
    public static Set<String> classNames(Collection<Call> calls) {
        Set<String> s = new HashSet<>();
        for (Call c : calls) {
            s.add(c.className());
        }
        return s;
    }
}
