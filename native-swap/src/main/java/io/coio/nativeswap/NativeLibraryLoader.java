package io.coio.nativeswap;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Finds and loads {@code libcoio_swap.so}, trying in order: already loaded (the application
 * called {@code System.loadLibrary("coio_swap")}) → a directory of {@code java.library.path} →
 * the copy packed in the jar as {@code META-INF/native/libcoio_swap_linux_x86_64.so}, extracted to a
 * temporary directory under its soname.
 * When all fail, the error lists every attempt and carries each failure as a suppressed
 * exception (the way Netty's {@code NativeLibraryLoader} reports).
 *
 * <p>The steps that touch the JVM are injected, so the order and the reporting are testable
 * without loading anything.
 */
final class NativeLibraryLoader {
    static final String LIBRARY_FILE = "libcoio_swap.so";
    /** In the jar the platform is part of the name (as Netty's), so jars for several platforms can coexist. */
    static final String RESOURCE = "META-INF/native/libcoio_swap_linux_x86_64.so";
    /** Where to extract the library instead of java.io.tmpdir (e.g. when /tmp is noexec). */
    static final String TMPDIR_PROPERTY = "io.coio.nativeswap.tmpdir";

    /** Loads a library file into the caller's class loader: {@code System::load} in production. */
    interface Loader {
        void load(String absolutePath);
    }

    private final BooleanSupplier alreadyLoaded;
    private final String javaLibraryPath;
    private final ClassLoader resources;
    private final Path tempRoot;
    private final Loader loader;

    NativeLibraryLoader(BooleanSupplier alreadyLoaded, String javaLibraryPath, ClassLoader resources,
                        Path tempRoot, Loader loader) {
        this.alreadyLoaded = alreadyLoaded;
        this.javaLibraryPath = javaLibraryPath == null ? "" : javaLibraryPath;
        this.resources = resources;
        this.tempRoot = tempRoot;
        this.loader = loader;
    }

    /** Loads the library; returns how it was found (for diagnostics). */
    String load() {
        List<String> attempts = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();

        if (alreadyLoaded.getAsBoolean()) {
            return "already loaded";
        }
        attempts.add("already loaded: no");

        String found = fromLibraryPath(attempts, failures);
        if (found != null) {
            return found;
        }
        found = fromResource(attempts, failures);
        if (found != null) {
            return found;
        }

        StringBuilder msg = new StringBuilder("could not load " + LIBRARY_FILE + "; tried:");
        for (int i = 0; i < attempts.size(); i++) {
            msg.append("\n  ").append(i + 1).append(") ").append(attempts.get(i));
        }
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(msg.toString());
        failures.forEach(error::addSuppressed);
        throw error;
    }

    private String fromLibraryPath(List<String> attempts, List<Throwable> failures) {
        boolean any = false;
        for (String dir : javaLibraryPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path file = Path.of(dir).resolve(LIBRARY_FILE);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            any = true;
            try {
                loader.load(file.toAbsolutePath().toString());
                return "java.library.path: " + file;
            } catch (Throwable t) {
                attempts.add("java.library.path: " + file + ": " + t);
                failures.add(t);
            }
        }
        if (!any) {
            attempts.add("java.library.path: no " + LIBRARY_FILE + " in [" + javaLibraryPath + "]");
        }
        return null;
    }

    private String fromResource(List<String> attempts, List<Throwable> failures) {
        URL url = resources == null ? null : resources.getResource(RESOURCE);
        if (url == null) {
            attempts.add("jar resource " + RESOURCE + ": not found (built without the native"
                    + " library? it needs Linux x86-64 and gcc)");
            return null;
        }
        Path dir = null;
        Path file = null;
        try {
            Files.createDirectories(tempRoot);
            dir = Files.createTempDirectory(tempRoot, "coio-native-swap-");
            file = dir.resolve(LIBRARY_FILE);
            try (InputStream in = url.openStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            loader.load(file.toAbsolutePath().toString());
            return "extracted " + url + " to " + file;
        } catch (Throwable t) {
            attempts.add("jar resource " + url + " extracted to " + (file != null ? file : tempRoot)
                    + ": " + t + " (if " + tempRoot + " is mounted noexec, set -D" + TMPDIR_PROPERTY
                    + "=<dir>)");
            failures.add(t);
            return null;
        } finally {
            // Once mapped, the file is not needed: delete it so no temp files pile up.
            deleteQuietly(file);
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort; the OS cleans its temp directory eventually
            }
        }
    }
}
