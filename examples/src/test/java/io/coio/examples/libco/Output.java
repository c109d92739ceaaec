package io.coio.examples.libco;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** An example's stdout, captured for a test (PrintStream is synchronized; any thread may print). */
final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    List<String> lines() {
        synchronized (stream) {
            return bytes.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }
}
