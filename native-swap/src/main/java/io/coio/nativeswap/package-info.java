/**
 * Native coroutines for coio: an x86-64 context switch with libco's core API
 * ({@code libcoio_swap.so}, C header {@code co_routine.h}), driven from Java through the FFM API.
 *
 * <p>What it is for: native code that would block (a C client library waiting on a socket) runs
 * inside a {@link io.coio.nativeswap.NativeCoroutine}; instead of blocking the thread it suspends
 * back to Java with a request ({@link io.coio.nativeswap.Suspension.WaitingFd}: "wait until this
 * descriptor is readable"), and Java resumes it when that is so. Java frames are never switched
 * by this code: only the native stack of the coroutine is (see DESIGN.md section 1).
 *
 * <p>The public API is {@link io.coio.nativeswap.NativeSwap} (is the library usable here),
 * {@link io.coio.nativeswap.NativeCoroutine}, {@link io.coio.nativeswap.Suspension},
 * {@link io.coio.nativeswap.SharedStack} and {@link io.coio.nativeswap.NativeSwapException}.
 * Everything else is package-private. Requires JDK 22+ and {@code --enable-native-access}.
 */
package io.coio.nativeswap;
