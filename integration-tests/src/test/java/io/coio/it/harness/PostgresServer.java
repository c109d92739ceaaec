package io.coio.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for one test class: {@code initdb} in a fresh temp data directory, started
 * with {@code pg_ctl} on a free loopback port (no Unix socket outside the data directory, {@code trust}
 * authentication for the {@code postgres} user, {@code fsync=off}); {@link #close()} stops it with
 * {@code pg_ctl stop -m immediate} and deletes the directory, so nothing is left behind.
 *
 * <p>PostgreSQL refuses to run as root: as root every command runs through {@code runuser -u postgres} and
 * the data directory belongs to that user. The binaries come from {@code /usr/lib/postgresql/<N>/bin}
 * (the Debian package {@code postgresql} is installed if there is none).
 *
 * <p>Thread-ownership: the test thread that starts it also closes it.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final int maxConnections;
    private boolean running;

    private PostgresServer(Path bin, Path dataDir, int port, int maxConnections) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.maxConnections = maxConnections;
    }

    /** Installs PostgreSQL if needed, creates a cluster and starts it; fails with its log if it cannot. */
    public static PostgresServer start() {
        return start(200);
    }

    /** {@link #start()} with room for {@code maxConnections} concurrent connections. */
    public static PostgresServer start(int maxConnections) {
        Services.requirePackage("postgresql", () -> findBin() != null, "/usr/lib/postgresql/<N>/bin/initdb");
        Path bin = findBin();
        Path dir;
        try {
            dir = Files.createTempDirectory("coio-it-pg");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temp dir for PostgreSQL", e);
        }
        PostgresServer pg = new PostgresServer(bin, dir, Services.freeLoopbackPort(), maxConnections);
        try {
            pg.initAndStart();
            return pg;
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    private static Path findBin() {
        Path root = Paths.get("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Path::compareTo).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void initAndStart() {
        Path data = dataDir.resolve("data");
        if (Services.isRoot()) {
            Services.runOk(List.of("chown", "postgres:postgres", dataDir.toString()), 30);
        }
        Services.runOk(asOwner(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"), 120);
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dataDir
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=" + maxConnections;
        running = true; // from here on, close() must try to stop it
        Services.Result r = Services.run(asOwner(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-o", options, "-l", dataDir.resolve("server.log").toString(), "-w", "-t", "120", "start"), 150);
        if (r.code() != 0) {
            throw new IllegalStateException("PostgreSQL did not start (pg_ctl exit " + r.code() + "): " + r.output()
                    + "\nserver.log:\n" + log());
        }
        System.out.println("[services] PostgreSQL " + bin.getParent().getFileName() + " on 127.0.0.1:" + port
                + ", data in " + data);
    }

    private List<String> asOwner(String... cmd) {
        List<String> full = new ArrayList<>();
        if (Services.isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(cmd));
        return full;
    }

    /** The server's log so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dataDir.resolve("server.log"));
        } catch (IOException e) {
            return "<no server.log: " + e + ">";
        }
    }

    public int port() {
        return port;
    }

    /** A pgjdbc URL for the {@code postgres} database as user {@code postgres} (trust authentication). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** Runs one SQL statement with {@code psql} (for setting up fixtures from the test JVM). */
    public String psql(String sql) {
        Path psql = bin.resolve("psql");
        return Services.runOk(List.of(psql.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql), 60);
    }

    /**
     * Creates login role {@code user} with {@code password} stored as SCRAM-SHA-256 and makes loopback TCP
     * connections of that role authenticate with SCRAM-SHA-256 (the {@code postgres} user stays {@code trust}).
     */
    public void addScramUser(String user, String password) {
        psql("SET password_encryption = 'scram-sha-256'; CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
        Path hba = dataDir.resolve("data").resolve("pg_hba.conf");
        try {
            String old = Files.readString(hba);
            Files.writeString(hba, "host all " + user + " 127.0.0.1/32 scram-sha-256\n" + old);
        } catch (IOException e) {
            throw new IllegalStateException("cannot edit " + hba, e);
        }
        psql("SELECT pg_reload_conf()");
    }

    /** A pgjdbc URL for the {@code postgres} database without a user (pass user and password as properties). */
    public String jdbcUrlNoUser() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Stops the server (immediately: nothing in it is worth keeping) and deletes its directory. */
    @Override
    public void close() {
        try {
            if (running) {
                running = false;
                Services.Result r = Services.run(asOwner(bin.resolve("pg_ctl").toString(), "-D",
                        dataDir.resolve("data").toString(), "-m", "immediate", "-w", "-t", "60", "stop"), 90);
                if (r.code() != 0) {
                    System.out.println("[services] pg_ctl stop exited " + r.code() + ": " + r.output());
                }
            }
        } finally {
            Services.deleteTree(dataDir);
        }
    }
}
