package io.coio.agent.internal;

import io.coio.agent.internal.detect.BlockingCalls;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Build step (agent/pom.xml, phase process-classes; not used by the agent at run time): writes what
 * {@link PrecomputedClasses} ships in the agent jar.
 * <ul>
 *   <li>the bridge classes, renamed into java.base ({@link BridgeRenamer});
 *   <li>for the JDK classes coio rewrites, in the rewrites that the default options ask for (coroutine mode;
 *       detect mode), each original class file the JVM can hand the transformer (the module image's bytes, which a
 *       class loaded after the agent gets, and the bytes a retransformation hands over for a class loaded before
 *       it) with its rewrite ({@link AsmRewrite}) and an index line.
 * </ul>
 * The originals are taken from a JVM of the building JDK that runs this class as its {@code -javaagent} (a forked
 * child: only an agent sees the bytes a retransformation hands over). Threads: main thread only.
 */
public final class PrecomputeBuild {
    private PrecomputeBuild() {
    }

    /** {@code PrecomputeBuild <output directory>} */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        if (Files.isDirectory(out)) { // nothing left over from an earlier build goes into the jar
            try (Stream<Path> old = Files.walk(out)) {
                for (Path p : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(out.resolve("bridge"));
        for (String[] b : new String[][] {{JdkBridge.TEMPLATE, JdkRewriter.BRIDGE},
                {JdkBridge.HOOKS_TEMPLATE, JdkBridge.HOOKS_AS},
                {JdkBridge.APP_THREADS_TEMPLATE, JdkBridge.APP_THREADS_AS},
                {JdkBridge.READINESS_HOOKS, JdkBridge.READINESS_HOOKS + JdkBridge.LINKED},
                {JdkBridge.THREAD_HOOKS, JdkBridge.THREAD_HOOKS + JdkBridge.LINKED},
                {JdkBridge.OBSERVER_HOOKS, JdkBridge.OBSERVER_HOOKS + JdkBridge.LINKED},
                {JdkBridge.DETECTOR_HOOKS, JdkBridge.DETECTOR_HOOKS + JdkBridge.LINKED}}) {
            Files.write(out.resolve("bridge").resolve(b[1].replace('/', '.') + ".bin"), BridgeRenamer.renamed(b[0], b[1]));
        }
        Path captured = Files.createTempDirectory("coio-precompute");
        Path agentJar = captured.resolve("recorder.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", PrecomputeBuild.class.getName());
        m.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        try (OutputStream o = Files.newOutputStream(agentJar); JarOutputStream j = new JarOutputStream(o, m)) {
            j.flush();
        }
        // "early": loaded before the transformer exists (the install retransforms them); "used": also initialised and
        // used as Netty's start-up uses ManagementFactory, which may run before the install's transformer exists (a
        // class's reconstituted bytes change once its code has run); "late": loaded while the transformer exists
        for (String when : new String[] {"early", "used", "late"}) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-javaagent:" + agentJar + "=" + when + "," + captured.toAbsolutePath(),
                    "-cp", System.getProperty("java.class.path"), Done.class.getName()).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("recording the JDK's class files failed (exit " + p.exitValue() + ")");
            }
        }
        write(out, captured);
        try (Stream<Path> files = Files.list(captured)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(captured);
    }

    /** The child JVM's main: the work was done by {@link #premain}. */
    public static final class Done {
        private Done() {
        }

        public static void main(String[] args) {
            // nothing left to do
        }
    }

    /** The rewrites of every original captured in {@code captured} and of the image's class files, and the index. */
    private static void write(Path dir, Path captured) throws Exception {
        // rewrite configurations -> owner -> (hooks, watched calls): those of the default options
        Map<String, Map<String, Map<String, BlockingCalls.Call>>> watchedBy = new LinkedHashMap<>();
        watchedBy.put("coroutine", Map.of()); // report=pinned watches no call
        watchedBy.put("detect", BlockingCalls.byOwner(BlockingCalls.ofKinds(BlockingCalls.allKinds())));
        Set<String> owners = owners();
        Map<String, List<byte[]>> originals = new LinkedHashMap<>();
        for (String owner : owners) {
            originals.put(owner, new ArrayList<>());
            add(originals, owner, imageBytes(owner));
        }
        try (Stream<Path> files = Files.list(captured)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".orig")) { // <owner, / as +>.<when>.orig
                    add(originals, name.substring(0, name.indexOf('.')).replace('+', '/'), Files.readAllBytes(f));
                }
            }
        }
        StringBuilder index = new StringBuilder();
        int id = 0;
        for (Map.Entry<String, Map<String, Map<String, BlockingCalls.Call>>> config : watchedBy.entrySet()) {
            boolean coroutine = config.getKey().equals("coroutine");
            // one pack per configuration: the install reads one resource, not two per class
            java.io.ByteArrayOutputStream pack = new java.io.ByteArrayOutputStream();
            for (String owner : owners) {
                Set<String> hooks = coroutine ? JdkRewriter.targets().getOrDefault(owner, Set.of()) : Set.of();
                Map<String, BlockingCalls.Call> calls = config.getValue().getOrDefault(owner, Map.of());
                if (hooks.isEmpty() && calls.isEmpty()) {
                    continue;
                }
                Set<String> methods = new HashSet<>(hooks);
                methods.addAll(calls.keySet());
                for (byte[] original : originals.get(owner)) {
                    byte[] rewritten = AsmRewrite.rewrite(owner, methods, hooks, calls, original, new HashSet<>());
                    CRC32 crc = new CRC32();
                    crc.update(original, 0, original.length);
                    // where: <pack>:<offset of the original>:<length of the rewrite>; the rewrite follows the original
                    index.append(owner).append(' ').append(Long.toHexString(crc.getValue())).append(' ')
                            .append(original.length).append(' ').append(config.getKey()).append(':')
                            .append(pack.size()).append(':').append(rewritten.length).append(' ')
                            .append(PrecomputedClasses.config(hooks, calls)).append('\n');
                    pack.write(original);
                    pack.write(rewritten);
                    id++;
                }
            }
            Files.write(dir.resolve(config.getKey() + ".pack"), pack.toByteArray());
        }
        Files.write(dir.resolve("index"), index.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println("coio build: " + id + " precomputed JDK class rewrites (Java " + Runtime.version()
                + ") in " + dir);
    }

    /** The JDK classes that the default rewrites touch (internal names). */
    private static Set<String> owners() {
        Set<String> owners = new TreeSet<>();
        for (String owner : JdkRewriter.targets().keySet()) {
            if (JdkRewriter.inThisRuntime(owner)) {
                owners.add(owner);
            }
        }
        owners.addAll(BlockingCalls.byOwner(BlockingCalls.ofKinds(BlockingCalls.allKinds())).keySet());
        return owners;
    }

    /** In a child JVM ({@code "early|used|late,<dir>"}): writes each class file a transformer is handed for the owners. */
    public static void premain(String args, Instrumentation inst) throws Exception {
        String when = args.substring(0, args.indexOf(','));
        boolean early = !when.equals("late");
        Path dir = Path.of(args.substring(args.indexOf(',') + 1));
        Set<String> owners = owners();
        List<Class<?>> classes = new ArrayList<>();
        if (early) {
            for (String owner : owners) {
                classes.add(Class.forName(owner.replace('/', '.'), when.equals("used"), null));
            }
        }
        if (when.equals("used")) {
            java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(); // Netty's probe
        }
        List<String> written = new ArrayList<>();
        ClassFileTransformer recorder = new ClassFileTransformer() {
            @Override
            public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                    ProtectionDomain pd, byte[] classfile) {
                if (loader == null && owners.contains(name)) {
                    try {
                        synchronized (written) {
                            String file = name.replace('/', '+') + "." + when + written.size() + ".orig";
                            Files.write(dir.resolve(file), classfile);
                            written.add(file);
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return null;
            }
        };
        inst.addTransformer(recorder, true);
        try {
            if (!early) {
                for (String owner : owners) {
                    classes.add(Class.forName(owner.replace('/', '.'), false, null));
                }
            }
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
        } finally {
            inst.removeTransformer(recorder);
        }
    }

    private static void add(Map<String, List<byte[]>> seen, String owner, byte[] bytes) {
        List<byte[]> list = seen.get(owner);
        for (byte[] b : list) {
            if (Arrays.equals(b, bytes)) {
                return;
            }
        }
        list.add(bytes);
    }

    /** The class file of {@code owner} in this JDK's module image. */
    private static byte[] imageBytes(String owner) throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        String pkg = owner.substring(0, owner.lastIndexOf('/')).replace('/', '.');
        try (Stream<Path> modules = Files.list(jrt.getPath("/packages", pkg))) {
            for (Path module : (Iterable<Path>) modules::iterator) {
                Path file = jrt.getPath("/modules", module.getFileName().toString(), owner + ".class");
                if (Files.exists(file)) {
                    return Files.readAllBytes(file);
                }
            }
        }
        throw new IOException(owner + " not found in this JDK's module image");
    }
}
