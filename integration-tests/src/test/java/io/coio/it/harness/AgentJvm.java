package io.coio.it.harness;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One forked app JVM, optionally under {@code -javaagent:coio-agent.jar[=options]}, with its stdout and
 * stderr captured line by line.
 *
 * <p>Thread-ownership: the builder and every method of a started {@code AgentJvm} are for the test's own
 * thread; two daemon pump threads per process own the reading of the child's pipes and only append to
 * the {@link Output} buffers (which are synchronized).
 *
 * <p>{@link #close()} always kills the process (SIGTERM, then SIGKILL after a few seconds) and waits for
 * the pumps to drain, so nothing outlives a test.
 */
public final class AgentJvm implements AutoCloseable {

    /** Which of the child's streams a wait looks at. */
    public enum Stream { STDOUT, STDERR }

    /** Default bound for waiting on a line the child prints (startup on a loaded 2-core CI box). */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    /** App JVMs not yet closed; killed if the test JVM itself is shut down (e.g. by a surefire timeout). */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "agent-jvm-reaper"));
    }

    private final List<String> command;
    private final Process process;
    private final Output stdout;
    private final Output stderr;
    private final Thread stdoutPump;
    private final Thread stderrPump;

    private AgentJvm(List<String> command) throws IOException {
        this.command = List.copyOf(command);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        this.process = pb.start();
        LIVE.add(process);
        this.process.getOutputStream().close(); // apps never read stdin
        this.stdout = new Output("stdout");
        this.stderr = new Output("stderr");
        this.stdoutPump = pump(process.getInputStream(), stdout, "pump-stdout-" + process.pid());
        this.stderrPump = pump(process.getErrorStream(), stderr, "pump-stderr-" + process.pid());
    }

    // ----------------------------------------------------------------------------------- builder

    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    public static Builder builder(String mainClass) {
        return new Builder(mainClass);
    }

    /** The agent jar the tests load, from the {@code coio.agent.jar} system property (set by the pom). */
    public static Path agentJar() {
        String p = System.getProperty("coio.agent.jar");
        if (p == null || p.isBlank()) {
            throw new IllegalStateException("system property coio.agent.jar is not set: run the tests through"
                    + " Maven (mvn -pl integration-tests test) or pass -Dcoio.agent.jar=/path/to/coio-agent.jar");
        }
        Path jar = Paths.get(p).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar " + jar + " does not exist: build the agent module first"
                    + " (./coio build, or mvn -pl agent -am package -DskipTests)");
        }
        return jar;
    }

    /** The published detect API jar ({@code io.coio:coio-detect-api}), built in the same reactor run. */
    public static Path detectApiJar() {
        return builtJar("coio.detect-api.jar");
    }

    /** The published JUnit 5 extension jar ({@code io.coio:coio-junit}), built in the same reactor run. */
    public static Path junitJar() {
        return builtJar("coio.junit.jar");
    }

    private static Path builtJar(String property) {
        String p = System.getProperty(property);
        if (p == null || p.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the tests through Maven");
        }
        Path jar = Paths.get(p).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it first (./coio build)");
        }
        return jar;
    }

    /** The java launcher of the JDK running the tests. */
    public static Path currentJava() {
        return Paths.get(System.getProperty("java.home"), "bin", "java");
    }

    /** Where a class of the test sources was loaded from (test-classes dir, or a dependency jar). */
    public static String classpathEntryOf(Class<?> c) {
        try {
            return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the classpath entry of " + c.getName(), e);
        }
    }

    /** Builder of a forked JVM; nothing runs until {@link #start()}. */
    public static final class Builder {
        private final String mainClass;
        private Path java = currentJava();
        private boolean agent = true;
        private String agentOptions = "";
        private final List<String> classpath = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m"));
        private final List<String> args = new ArrayList<>();

        private Builder(String mainClass) {
            this.mainClass = Objects.requireNonNull(mainClass);
            // The apps live in this module's test classes.
            classpath.add(classpathEntryOf(AgentJvm.class));
        }

        /** Load the agent with these options ("" for none), e.g. {@code "carriers=1,stats=true"}. */
        public Builder agent(String options) {
            this.agent = true;
            this.agentOptions = Objects.requireNonNull(options);
            return this;
        }

        /** Run the app as a plain JVM without {@code -javaagent}. */
        public Builder noAgent() {
            this.agent = false;
            return this;
        }

        public Builder java(Path javaLauncher) {
            this.java = Objects.requireNonNull(javaLauncher);
            return this;
        }

        /** Replace the classpath (by default: this module's test classes). */
        public Builder classpath(String... entries) {
            classpath.clear();
            classpath.addAll(List.of(entries));
            return this;
        }

        /**
         * Use this module's whole test class path (test classes and every test-scoped dependency, e.g. Jetty
         * or pgjdbc for the real-peer apps), as surefire gives it to the test JVM in {@code java.class.path}.
         */
        public Builder testClasspath() {
            String cp = System.getProperty("java.class.path", "");
            String own = classpathEntryOf(AgentJvm.class);
            if (!List.of(cp.split(File.pathSeparator)).contains(own)) {
                throw new IllegalStateException("java.class.path does not list this module's test classes (" + own
                        + "): it is '" + cp + "'; run the tests through Maven surefire");
            }
            classpath.clear();
            classpath.addAll(List.of(cp.split(File.pathSeparator)));
            return this;
        }

        public Builder addClasspath(String entry) {
            classpath.add(entry);
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        public Builder args(Object... appArgs) {
            for (Object a : appArgs) {
                args.add(String.valueOf(a));
            }
            return this;
        }

        public List<String> command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(java.toString());
            if (agent) {
                String jar = agentJar().toString();
                cmd.add(agentOptions.isEmpty() ? "-javaagent:" + jar : "-javaagent:" + jar + "=" + agentOptions);
            }
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(String.join(File.pathSeparator, classpath));
            cmd.add(mainClass);
            cmd.addAll(args);
            return cmd;
        }

        public AgentJvm start() {
            try {
                return new AgentJvm(command());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command(), e);
            }
        }
    }

    // ------------------------------------------------------------------------------ observation

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the next line (after the last line an earlier wait matched on that stream) that matches
     * {@code regex} anywhere ({@link Matcher#find()}), and returns its matcher (anchor the regex with
     * {@code ^...$} to capture the whole line as {@code group()}). Fails with everything the
     * process printed if the line does not come within {@code timeout} or the stream ends first.
     */
    public Matcher awaitLine(Stream stream, String regex, Duration timeout) {
        Output out = stream == Stream.STDOUT ? stdout : stderr;
        Matcher m = out.await(Pattern.compile(regex), timeout);
        if (m == null) {
            String why = out.isFinished() ? "before its " + out.name + " ended" : "within " + timeout.toMillis() + " ms";
            if (out.isFinished()) {
                try {
                    process.waitFor(2, TimeUnit.SECONDS); // so that the exit code shows below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new AssertionError("the app did not print a line matching /" + regex + "/ on " + out.name
                    + " " + why + describeState());
        }
        return m;
    }

    public Matcher awaitStdout(String regex) {
        return awaitLine(Stream.STDOUT, regex, DEFAULT_WAIT);
    }

    public Matcher awaitStdout(String regex, Duration timeout) {
        return awaitLine(Stream.STDOUT, regex, timeout);
    }

    public Matcher awaitStderr(String regex) {
        return awaitLine(Stream.STDERR, regex, DEFAULT_WAIT);
    }

    /** Every stdout line so far. */
    public List<String> stdoutLines() {
        return stdout.snapshot();
    }

    /** Every stderr line so far. */
    public List<String> stderrLines() {
        return stderr.snapshot();
    }

    /** The stdout lines so far that match {@code regex} (find). */
    public List<String> stdoutMatching(String regex) {
        return matching(stdout.snapshot(), regex);
    }

    /** The stderr lines so far that match {@code regex} (find). */
    public List<String> stderrMatching(String regex) {
        return matching(stderr.snapshot(), regex);
    }

    private static List<String> matching(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> r = new ArrayList<>();
        for (String l : lines) {
            if (p.matcher(l).find()) {
                r.add(l);
            }
        }
        return r;
    }

    /** The number of OS threads of the process, from {@code /proc/<pid>/status} ("Threads:"). */
    public int osThreadCount() {
        Path status = Paths.get("/proc", Long.toString(process.pid()), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + status + " (process gone?)" + describeState(), e);
        }
        throw new AssertionError("no Threads: line in " + status);
    }

    /** Waits for the process to exit by itself and returns its exit code; fails if it does not within bound. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the app did not exit within " + timeout.toMillis() + " ms"
                        + describeState());
            }
            drainPumps();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the app to exit", e);
        }
    }

    /**
     * Asks the process to exit (SIGTERM, as {@code kill} would: shutdown hooks run) and returns its exit code once
     * it has exited and every line it printed, shutdown hooks' included, was read. Unlike {@link #close()}
     * ({@code Process.destroy} closes the pipes at once), this keeps what the app prints while it shuts down,
     * e.g. the agent's {@code stats=true} lines. Fails if the process does not exit within {@code timeout}.
     */
    public int terminate(Duration timeout) {
        process.toHandle().destroy();
        return awaitExit(timeout);
    }

    /**
     * Kills the process (SIGTERM, then SIGKILL after 5 s), waits for the pumps to read every remaining
     * line, and returns. Safe to call twice.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        drainPumps();
        LIVE.remove(process);
    }

    private void drainPumps() {
        try {
            stdoutPump.join(5_000);
            stderrPump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A multi-line description of the command, exit state and everything printed so far. */
    public String describeState() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n  command: ").append(String.join(" ", command));
        sb.append("\n  process: pid ").append(process.pid()).append(", ");
        sb.append(process.isAlive() ? "still running" : "exited with code " + process.exitValue());
        appendLines(sb, stdout);
        appendLines(sb, stderr);
        return sb.toString();
    }

    private static void appendLines(StringBuilder sb, Output out) {
        List<String> lines = out.snapshot();
        sb.append("\n  ").append(out.name).append(" (").append(lines.size()).append(" lines");
        int from = 0;
        if (lines.size() > 400) {
            from = lines.size() - 400;
            sb.append(", first ").append(from).append(" omitted");
        }
        sb.append("):");
        for (int i = from; i < lines.size(); i++) {
            sb.append("\n    | ").append(lines.get(i));
        }
    }

    private static Thread pump(InputStream in, Output out, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.add(line);
                    if (Boolean.getBoolean("coio.it.verbose")) {
                        System.out.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException e) {
                out.add("<<pump error: " + e + ">>");
            } finally {
                out.finish();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Lines of one stream; appended by its pump, read by the test thread. */
    private static final class Output {
        private final String name;
        private final List<String> lines = new ArrayList<>(); // guarded by this
        private int cursor; // guarded by this; index after the line the last await matched
        private boolean finished; // guarded by this

        Output(String name) {
            this.name = name;
        }

        synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        synchronized boolean isFinished() {
            return finished;
        }

        synchronized void finish() {
            finished = true;
            notifyAll();
        }

        synchronized List<String> snapshot() {
            return new ArrayList<>(lines);
        }

        synchronized Matcher await(Pattern p, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int scanned = cursor;
            while (true) {
                for (; scanned < lines.size(); scanned++) {
                    Matcher m = p.matcher(lines.get(scanned));
                    if (m.find()) {
                        cursor = scanned + 1;
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (finished || left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }
}
