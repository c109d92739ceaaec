package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32;

/**
 * The JDK classes and bridge classes that the build rewrote ahead of time ({@link PrecomputeBuild}), shipped in the
 * agent jar under {@value #DIR}: at install the agent uses them instead of running ASM, which saves start-up time
 * (ASM's classes, their interpretation and their JIT compilation). A precomputed rewrite of a JDK class is used only
 * if the bytes the JVM hands the transformer are <em>exactly</em> the bytes it was computed from (the original is
 * shipped too and compared byte for byte; a CRC-32 and the length only pick the candidate) and the rewrite asked for
 * is the same (which hooks, which watched calls: {@link #config}). The originals and rewrites of one rewrite
 * configuration (coroutine mode's, detect mode's) are one resource, read once. Otherwise the class is rewritten at run time as
 * before: same result, slower. Either way the install check reads the hooks from the bytes installed
 * ({@link HookScan}). With {@code -Dcoio.debug.precomputed=true} (or {@code coio.debug}) each class says which path it
 * took. Resources are read only from the agent's own jar (the code source of this class), never from another jar
 * on the class path.
 *
 * <p>{@code -Dcoio.test.precomputedMismatch=true} (tests only) compares the JVM's bytes with a copy of the shipped
 * original that differs in one byte: every JDK class then takes the run-time path.
 *
 * <p>Compiled for Java 17 (agent/pom.xml). Threads: any thread that loads or retransforms a class; the index is
 * read once, by the first (class initialisation), and only read afterwards.
 */
final class PrecomputedClasses {
    static final String DIR = "META-INF/coio/precomputed/";
    static final String INDEX = DIR + "index";
    private static final boolean DEBUG = Boolean.getBoolean("coio.debug.precomputed") || Boolean.getBoolean("coio.debug");
    /** The test-only property (read per class: tests turn it on and off). */
    static final String FORCE_MISMATCH = "coio.test.precomputedMismatch";
    /** Pack name -> its bytes (see {@link #pack}). */
    private static final Map<String, java.lang.ref.SoftReference<byte[]>> PACKS =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** A problem reading the jar's precomputed classes, until printed. */
    private static final java.util.Queue<String> WARNINGS = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** With the debug option: one line per class rewritten, which path it took, until printed. */
    private static final java.util.Queue<String> PATHS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private PrecomputedClasses() {
    }

    /** The index, read on first use: "class crc length config" -> where (pack:offset:length). */
    private static final class Index {
        static final Map<String, String> IDS = read();

        private static Map<String, String> read() {
            Map<String, String> ids = new HashMap<>();
            try (InputStream in = open(INDEX)) {
                if (in == null) {
                    return ids;
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    String[] f = line.split(" ", 5); // class crc length where config
                    if (f.length == 5) {
                        ids.put(key(f[0], f[1], f[2], f[4]), f[3]);
                    }
                }
            } catch (IOException e) {
                // printed by printPaths, after the rewrites: never while a JDK class loads (JdkRewriter.later)
                WARNINGS.add("coio: cannot read the agent jar's precomputed classes (" + e
                        + "); the JDK classes are rewritten at run time.");
                ids.clear();
            }
            return ids;
        }
    }

    /**
     * The precomputed rewrite of JDK class {@code className} (internal name) from exactly {@code original} with
     * rewrite {@code config}, or null (none for these bytes: rewrite at run time).
     */
    static byte[] rewritten(String className, byte[] original, String config) {
        CRC32 crc = new CRC32();
        crc.update(original, 0, original.length);
        String id = Index.IDS.get(key(className, Long.toHexString(crc.getValue()), Integer.toString(original.length),
                config));
        byte[] result = null;
        String why = "no precomputed rewrite for these bytes";
        if (id != null) {
            try {
                String[] where = id.split(":"); // pack:offset:length of the rewrite, which follows the original
                byte[] pack = pack(where[0]);
                int at = Integer.parseInt(where[1]);
                byte[] seen = original;
                if (Boolean.getBoolean(FORCE_MISMATCH)) {
                    seen = original.clone();
                    seen[seen.length - 1] ^= 1;
                }
                if (pack != null && Arrays.equals(pack, at, at + seen.length, seen, 0, seen.length)) {
                    int from = at + seen.length;
                    result = Arrays.copyOfRange(pack, from, from + Integer.parseInt(where[2]));
                } else {
                    why = "the JVM's bytes differ from those the rewrite was precomputed from";
                }
            } catch (IOException | RuntimeException e) {
                why = "cannot read the precomputed rewrite (" + e + ")";
            }
        }
        if (DEBUG) { // printed later: printing here could load a class that is being loaded (Blocker: circularity)
            PATHS.add("coio: " + className.replace('/', '.')
                    + (result != null ? ": precomputed rewrite from the agent jar" : ": rewritten at run time (" + why + ")"));
        }
        return result;
    }

    /**
     * Prints a problem reading the jar's precomputed classes, if there was one. With the debug option also prints
     * which path each JDK class rewritten so far took, and registers a shutdown hook
     * that prints those rewritten later. Called by the installing thread after the install's rewrites.
     */
    static void printPaths() {
        for (String w; (w = WARNINGS.poll()) != null; ) {
            CoioLog.line(System.Logger.Level.WARNING, w);
        }
        if (!DEBUG) {
            return;
        }
        drainPaths();
        Runtime.getRuntime().addShutdownHook(new Thread(PrecomputedClasses::drainPaths, "coio-debug-paths"));
    }

    private static void drainPaths() {
        for (String line; (line = PATHS.poll()) != null; ) {
            CoioLog.line(System.Logger.Level.INFO, line);
        }
    }

    /**
     * Called by the installing thread once the install's rewrites are done (every target JDK class is loaded and
     * checked by then): the packs read for them (1.3 MB each) are no longer held for the app's lifetime. A JDK class
     * rewritten later (a watched class that loads later, another agent's retransformation) reads its pack again.
     */
    static void releasePacks() {
        PACKS.clear();
    }

    /** Tests: how many packs are held. */
    static int packsHeld() {
        return PACKS.size();
    }

    /** Pack {@code name} (originals and rewrites of one rewrite configuration), read once and kept while memory allows. */
    private static byte[] pack(String name) throws IOException {
        java.lang.ref.SoftReference<byte[]> ref = PACKS.get(name);
        byte[] bytes = ref == null ? null : ref.get();
        if (bytes == null) {
            bytes = read(DIR + name + ".pack");
            if (bytes != null) {
                PACKS.put(name, new java.lang.ref.SoftReference<>(bytes));
            }
        }
        return bytes;
    }

    /** A bridge class as the build renamed it ({@code as}: its internal name in java.base), or null if absent. */
    static byte[] bridge(String as) throws IOException {
        return read(DIR + "bridge/" + as.replace('/', '.') + ".bin");
    }

    /**
     * What decides a JDK class's rewrite besides its bytes: the hooks asked for and the watched calls with their
     * row ids and arguments ({@link Prologues#watched}). Same string at build time and at run time.
     */
    static String config(Set<String> hooks, Map<String, BlockingCalls.Call> calls) {
        StringBuilder s = new StringBuilder("h:");
        for (String h : new TreeSet<>(hooks)) {
            s.append(h).append(';');
        }
        s.append("|w:");
        for (Map.Entry<String, BlockingCalls.Call> c : new TreeMap<>(calls).entrySet()) {
            BlockingCalls.Call call = c.getValue();
            s.append(c.getKey()).append('=').append(call.id()).append('/').append(call.passThis()).append('/')
                    .append(call.longArgSlot()).append(';');
        }
        return s.toString().replace(' ', '_');
    }

    static String key(String className, String crcHex, String length, String config) {
        return className + ' ' + crcHex + ' ' + length + ' ' + config;
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = open(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** {@code resource} from the jar (or directory) this class was loaded from, or null; never from elsewhere. */
    private static InputStream open(String resource) throws IOException {
        String self = PrecomputedClasses.class.getName().replace('.', '/') + ".class";
        URL own = PrecomputedClasses.class.getResource("/" + self);
        URL found = PrecomputedClasses.class.getResource("/" + resource);
        if (own == null || found == null) {
            return null;
        }
        String base = own.toString().substring(0, own.toString().length() - self.length());
        if (!found.toString().equals(base + resource)) {
            throw new IOException(resource + " comes from " + found + ", not from the agent's own " + base);
        }
        return found.openStream();
    }
}
