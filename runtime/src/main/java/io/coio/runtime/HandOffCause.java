package io.coio.runtime;

/**
 * Why a carrier moved its event loop to another OS thread: the coroutine it was running had to block the
 * OS thread itself (it could not unmount). Counted per carrier in {@link CarrierStats}.
 */
enum HandOffCause {
    /** A pinned coroutine parked ({@code VirtualThread.parkOnCarrierThread}: class initializer, native frame). */
    PINNED_PARK,
    /** A pinned coroutine called {@code Object.wait} (the JVM waits on the OS thread). */
    PINNED_WAIT,
    /** File I/O: {@code FileInputStream}, {@code FileOutputStream}, {@code RandomAccessFile}, {@code FileChannel}. */
    FILE,
    /** A host-name lookup ({@code getaddrinfo}/{@code getnameinfo} through the JDK's platform resolver). */
    DNS,
    /**
     * Any other JDK operation marked with {@code jdk.internal.misc.Blocker}: process pipes, console I/O,
     * {@code FileChannel.force/lock}, {@code FileDescriptor.sync}.
     */
    BLOCKER,
    /** The carrier watchdog found the loop thread blocked (monitor, wait, native) inside one coroutine run. */
    WATCHDOG
}
