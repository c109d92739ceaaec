package io.coio.it.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Makes the real peers the tests need available on a fresh Debian machine: finds a command on the
 * {@code PATH} or installs its Debian package with {@code apt-get install -y} (running
 * {@code apt-get update} once first if the plain install fails), runs short helper commands with a
 * bound, and picks free loopback ports.
 *
 * <p>Thread-ownership: static methods for test threads; installs are serialized on the class.
 */
public final class Services {
    private Services() {}

    private static boolean aptUpdated; // guarded by Services.class

    /** The absolute path of {@code command}, installing {@code debianPackage} first if it is missing. */
    public static synchronized Path require(String command, String debianPackage) {
        if (which(command) == null) {
            install(debianPackage, () -> which(command) != null, "'" + command + "' is missing");
        }
        return which(command);
    }

    /** Installs {@code debianPackage} unless {@code present} already says it is there. */
    public static synchronized void requirePackage(String debianPackage, BooleanSupplier present, String what) {
        if (!present.getAsBoolean()) {
            install(debianPackage, present, what + " is missing");
        }
    }

    private static void install(String debianPackage, BooleanSupplier installed, String why) {
        System.out.println("[services] " + why + ": apt-get install -y " + debianPackage);
        Result r = aptInstall(debianPackage);
        if (!installed.getAsBoolean() && !aptUpdated) { // a fresh machine has no package lists yet
            aptUpdated = true;
            run(List.of("apt-get", "update", "-qq"), 300);
            r = aptInstall(debianPackage);
        }
        if (!installed.getAsBoolean()) {
            throw new IllegalStateException("cannot install Debian package '" + debianPackage + "' (" + why
                    + "): apt-get exited " + r.code + ": " + r.output + "\nFix: install it by hand (apt-get install -y "
                    + debianPackage + ") and re-run the tests.");
        }
    }

    private static Result aptInstall(String debianPackage) {
        // The packages' postinst scripts must not start their system services (the tests start their own
        // instances, and nothing may be left running): with RUNLEVEL=1, invoke-rc.d starts nothing.
        return run(List.of("env", "DEBIAN_FRONTEND=noninteractive", "RUNLEVEL=1", "apt-get", "install", "-y", "-qq",
                "--no-install-recommends", debianPackage), 600);
    }

    /** The first executable {@code command} on the PATH (or an absolute path that exists), else null. */
    public static Path which(String command) {
        if (command.startsWith("/")) {
            Path p = Paths.get(command);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path p = Paths.get(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** What a helper command printed (stdout and stderr together) and its exit code. */
    public record Result(int code, String output) {}

    /** Runs {@code cmd} to completion within {@code timeoutSeconds}; never throws for a non-zero exit. */
    public static Result run(List<String> cmd, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = ("<<" + e + ">>").getBytes(StandardCharsets.UTF_8);
                }
            }, "services-output");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                reader.join(5_000);
                return new Result(-1, "timed out after " + timeoutSeconds + " s: " + cmd);
            }
            reader.join(10_000);
            String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8).strip();
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            return new Result(-1, "cannot run " + cmd + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted while running " + cmd);
        }
    }

    /** Like {@link #run} but fails with the command's output when it does not exit 0. */
    public static String runOk(List<String> cmd, long timeoutSeconds) {
        Result r = run(cmd, timeoutSeconds);
        if (r.code != 0) {
            throw new IllegalStateException("command failed (exit " + r.code + "): " + String.join(" ", cmd) + "\n"
                    + r.output);
        }
        return r.output;
    }

    /** A loopback TCP port that was free a moment ago (for servers that cannot bind port 0 and report it). */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    /** Deletes {@code dir} and everything under it; quiet if it is already gone. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.toList());
            all.sort(Comparator.reverseOrder());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dir, e);
        }
    }

    /** True when the tests run as root (postgres must then be run as the {@code postgres} user). */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
