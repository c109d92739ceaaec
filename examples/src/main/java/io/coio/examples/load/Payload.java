package io.coio.examples.load;

/**
 * The bytes a connection sends in one round trip. They depend on the connection number and the
 * round-trip number, so an echo that returns another connection's data, an earlier round's data, or
 * shifted data fails verification instead of passing by coincidence.
 */
final class Payload {

    private Payload() {
    }

    /** Fills {@code into} with the payload of round trip {@code roundTrip} on connection {@code connection}. */
    static void fill(byte[] into, int connection, int roundTrip) {
        // A 64-bit LCG (Knuth's MMIX constants) seeded from (connection, roundTrip); the top byte of
        // each step is well mixed, and generating it costs about a nanosecond per byte.
        long state = (connection + 1L) * 0x9E3779B97F4A7C15L ^ (roundTrip + 1L) * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < into.length; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            into[i] = (byte) (state >>> 56);
        }
    }
}
