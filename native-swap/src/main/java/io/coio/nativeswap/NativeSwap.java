package io.coio.nativeswap;

import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether {@code libcoio_swap} can be used in this JVM, and why not. The library is loaded on
 * first use of this class (see {@link #librarySource()} for where from).
 *
 * <pre>{@code
 * if (NativeSwap.isAvailable()) { ... } else { log(NativeSwap.unavailabilityCause()); }
 * }</pre>
 */
public final class NativeSwap {
    private static final String SOURCE;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        String source = null;
        Throwable cause = null;
        try {
            checkPlatform(System.getProperty("os.name"), System.getProperty("os.arch"));
            source = newLoader().load();
            if (SymbolLookup.loaderLookup().find("coio_resume").isEmpty()) {
                throw new UnsatisfiedLinkError("loaded " + source + " but coio_resume is not in it");
            }
        } catch (Throwable t) {
            cause = t;
        }
        SOURCE = source;
        UNAVAILABILITY_CAUSE = cause;
    }

    private NativeSwap() {}

    /** True if the native library is loaded and usable. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why the library is unusable (listing everything that was tried), or null if it is usable. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws an {@link UnsatisfiedLinkError} (caused by {@link #unavailabilityCause()}) if unusable. */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError(
                    "coio native-swap is unavailable: " + UNAVAILABILITY_CAUSE.getMessage());
            e.initCause(UNAVAILABILITY_CAUSE);
            throw e;
        }
    }

    /** Where the library came from ("already loaded", "java.library.path: ...", "extracted ..."). */
    public static String librarySource() {
        ensureAvailable();
        return SOURCE;
    }

    static void checkPlatform(String os, String arch) {
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        boolean linux = os != null && os.toLowerCase(Locale.ROOT).startsWith("linux");
        if (!linux || !(a.equals("amd64") || a.equals("x86_64"))) {
            throw new UnsupportedOperationException("coio native-swap supports only Linux x86-64"
                    + " (its context switch is x86-64 System V assembly); this is " + os + " " + arch);
        }
    }

    @SuppressWarnings("restricted") // System.load: the JVM is run with --enable-native-access
    private static NativeLibraryLoader newLoader() {
        String tmp = System.getProperty(NativeLibraryLoader.TMPDIR_PROPERTY,
                System.getProperty("java.io.tmpdir"));
        return new NativeLibraryLoader(
                () -> SymbolLookup.loaderLookup().find("coio_resume").isPresent(),
                System.getProperty("java.library.path"),
                NativeSwap.class.getClassLoader(),
                Path.of(tmp),
                System::load);
    }
}
