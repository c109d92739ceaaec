package example.peers;

/**
 * What the example servers answer, shared by the servers and the example clients (as an app's own API
 * module would be). {@code /hello} has one fixed body (for wrk, which checks it); {@code /item/N} a body
 * that depends on N (for clients that check each answer belongs to their request).
 */
public final class Replies {
    private Replies() {}

    /** Stands in for a blocking downstream call (a database, another service) in every request. */
    public static final long DOWNSTREAM_MILLIS = 10;

    public static String hello(String server) {
        return "hello from " + server + "\n";
    }

    public static String item(String server, long n) {
        return "item " + n + " of " + server + ": " + (n * n) + "\n";
    }

    /** The body for {@code path}, or null for an unknown path (404). */
    public static String forPath(String server, String path) {
        if (path.equals("/hello")) {
            return hello(server);
        }
        if (path.startsWith("/item/")) {
            try {
                return item(server, Long.parseLong(path.substring("/item/".length())));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The simulated downstream call. */
    public static void callDownstream() {
        try {
            Thread.sleep(DOWNSTREAM_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
