package io.coio.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux says about an OS thread of this process ({@code /proc}): its id, and whether it is running or
 * sleeping. The JVM calls a thread in native code RUNNABLE whether it computes or waits in {@code read(2)}; the
 * kernel knows. Elsewhere (or if {@code /proc} cannot be read) the answers are "unknown".
 *
 * <p>Threads: any; no state.
 */
final class OsThread {
    static final int UNKNOWN_TID = -1;
    static final char UNKNOWN_STATE = '?';

    private OsThread() {
    }

    /** The calling thread's OS id, from {@code /proc/thread-self -> <pid>/task/<tid>}, or {@link #UNKNOWN_TID}. */
    static int currentTid() {
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            return Integer.parseInt(target.getFileName().toString());
        } catch (IOException | RuntimeException notLinux) {
            return UNKNOWN_TID;
        }
    }

    /**
     * The kernel's state letter of thread {@code tid} of this process ({@code R} running, {@code S} sleeping,
     * {@code D} uninterruptible wait, ...), or {@link #UNKNOWN_STATE}.
     */
    static char state(int tid) {
        if (tid == UNKNOWN_TID) {
            return UNKNOWN_STATE;
        }
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/stat")),
                    StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')'); // the name in parentheses may contain spaces
            return end > 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : UNKNOWN_STATE;
        } catch (IOException | RuntimeException e) {
            return UNKNOWN_STATE;
        }
    }
}
