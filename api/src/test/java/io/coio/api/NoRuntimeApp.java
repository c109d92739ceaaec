package io.coio.api;

/** Run by {@link RuntimeMissingTest} in a JVM without coio's runtime or without the flags it needs. */
public final class NoRuntimeApp {
    private NoRuntimeApp() {
    }

    public static void main(String[] args) {
        Coroutine.create(() -> { }).resume();
        System.out.println("ran");
    }
}
