package example.bulk;

import io.coio.it.harness.PostgresServer;

/**
 * For the bulk benchmark script: starts a throw-away PostgreSQL (the test harness's) with room for
 * {@code maxConnections}, adds role {@code app} / {@code s3cret} authenticated with SCRAM-SHA-256 over loopback
 * TCP, prints {@code URL <jdbcUrl>} and stops it (deleting its data) when stdin ends. Args: {@code <maxConnections>}.
 */
public final class PgScramServer {
    public static void main(String[] args) throws Exception {
        try (PostgresServer pg = PostgresServer.start(Integer.parseInt(args[0]))) {
            pg.addScramUser("app", "s3cret");
            System.out.println("URL " + pg.jdbcUrlNoUser());
            while (System.in.read() >= 0) {
                // until the script closes our stdin
            }
        }
    }
}
