package io.coio.nativeswap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's order (loaded → java.library.path → jar resource) and its report of every failure. */
class NativeLibraryLoaderTest {

    @TempDir
    Path tmp;

    private final List<String> loaded = new ArrayList<>();

    private ClassLoader resources(boolean withLibrary) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("jar"));
        if (withLibrary) {
            Path lib = root.resolve(NativeLibraryLoader.RESOURCE);
            Files.createDirectories(lib.getParent());
            Files.writeString(lib, "not really ELF");
        }
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    @Test
    void alreadyLoadedWins() throws IOException {
        String how = new NativeLibraryLoader(() -> true, "/nowhere", resources(true), tmp, loaded::add).load();
        assertEquals("already loaded", how);
        assertTrue(loaded.isEmpty());
    }

    @Test
    void javaLibraryPathComesBeforeTheJar() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("libs"));
        Files.writeString(dir.resolve(NativeLibraryLoader.LIBRARY_FILE), "x");
        String how = new NativeLibraryLoader(() -> false, "/nowhere:" + dir, resources(true), tmp, loaded::add).load();
        assertEquals("java.library.path: " + dir.resolve(NativeLibraryLoader.LIBRARY_FILE), how);
        assertEquals(List.of(dir.resolve(NativeLibraryLoader.LIBRARY_FILE).toString()), loaded);
    }

    @Test
    void jarResourceIsExtractedLoadedAndDeleted() throws IOException {
        Path extractTo = tmp.resolve("extract");
        String how = new NativeLibraryLoader(() -> false, "", resources(true), extractTo, loaded::add).load();
        assertTrue(how.startsWith("extracted "), how);
        assertEquals(1, loaded.size());
        assertTrue(loaded.get(0).startsWith(extractTo.toString()) && loaded.get(0).endsWith("/libcoio_swap.so"));
        try (var left = Files.list(extractTo)) {
            assertEquals(0, left.count(), "the extracted copy is deleted once loaded");
        }
    }

    @Test
    void everyFailureIsReported() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("libs"));
        Files.writeString(dir.resolve(NativeLibraryLoader.LIBRARY_FILE), "x");
        NativeLibraryLoader.Loader failing = path -> {
            throw new UnsatisfiedLinkError("cannot load " + path);
        };
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> new NativeLibraryLoader(() -> false, dir.toString(), resources(true), tmp, failing).load());
        String msg = e.getMessage();
        assertTrue(msg.contains("1) already loaded: no"), msg);
        assertTrue(msg.contains("2) java.library.path: " + dir), msg);
        assertTrue(msg.contains("3) jar resource"), msg);
        assertTrue(msg.contains(NativeLibraryLoader.TMPDIR_PROPERTY), msg);
        assertEquals(2, e.getSuppressed().length);
    }

    @Test
    void aMissingResourceSaysHowTheJarWasBuilt() throws IOException {
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> new NativeLibraryLoader(() -> false, "", resources(false), tmp, loaded::add).load());
        assertTrue(e.getMessage().contains("no libcoio_swap.so in []"), e.getMessage());
        assertTrue(e.getMessage().contains("needs Linux x86-64 and gcc"), e.getMessage());
    }
}
