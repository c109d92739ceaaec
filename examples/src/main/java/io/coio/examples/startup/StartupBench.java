package io.coio.examples.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the coio agent adds to a JVM's start-up, measured from outside: each run launches a fresh JVM and takes,
 * on the wall clock, the time from just before the launch to
 * <ul>
 *   <li>{@code main}: the app's {@code main} running ({@link MainReached} prints the time it was entered);
 *   <li>{@code ready}: a server's line {@code listening on <port>} (or {@code PORT <port>});
 *   <li>{@code answer}: the answer to the first request (an echo line, or an HTTP {@code 200} status line)
 *       sent right after {@code ready};
 *   <li>{@code cpu}: the CPU time the JVM had used by {@code main} or by the first answer, summed over its threads:
 *       on a machine that others load, wall-clock times grow with the load and this hardly does (10 ms steps).
 * </ul>
 * Each app runs without the agent ({@code none}), with {@code mode=off} (the JVM's agent machinery only, coio
 * does nothing), in coroutine mode and in detect mode, the modes interleaved run by run so that machine noise
 * spreads evenly; the table gives the median and the spread (25th-75th percentile) of each, and the median's
 * difference to {@code none}. Used by {@code examples/run-startup.sh} ({@code ./coio bench --startup}).
 *
 * <p>{@code StartupBench --agent JAR [--runs N] [--apps hello,echo,http,jdk-http] [--modes none,off,coroutine,detect]
 * [--app NAME CLASSPATH MAINCLASS HTTPPATH] [--jvm-opt OPT] [--agent-opts OPTS] [--baseline JAR] [--raw FILE]}:
 * {@code --app} adds a server app (printing {@code listening on} or {@code PORT}, asked {@code GET HTTPPATH}), run
 * with port 0; {@code --baseline} adds each agent mode again with another agent jar (e.g. the build before a change),
 * interleaved with the rest.
 * The examples jar this class is in is the class path of the built-in apps. Not a test: it asserts no speed.
 *
 * <p>Threads: the main thread only.
 */
public final class StartupBench {
    private static final Pattern READY = Pattern.compile("^(?:listening on|PORT) (\\d+)\\s*$");
    private static final Pattern MAIN_AT = Pattern.compile("^main at (\\d+) cpu (\\S+)\\s*$");
    private static final long RUN_TIMEOUT_S = 60;
    /** The JVM being measured, killed if this one is stopped (Ctrl-C, kill) so that no server is left behind. */
    private static volatile Process current;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = current;
            if (p != null) {
                p.destroyForcibly();
            }
        }, "startup-bench-reaper"));
    }

    enum Probe { MAIN, ECHO, HTTP }

    record App(String name, String classPath, String mainClass, List<String> args, Probe probe, String path) {
    }

    /** {@code agentOptions} null: no agent; {@code agent} null: the {@code --agent} jar. */
    record Mode(String name, String agentOptions, String agent) {
    }

    /**
     * One measured run: milliseconds from launch to main (MAIN) or ready, and to the first answer (servers); CPU
     * milliseconds the JVM had used at main or at the first answer ({@link ProcessCpu}).
     */
    record Sample(double first, double answer, double cpu) {
    }

    private StartupBench() {
    }

    public static void main(String[] argv) throws Exception {
        String agent = null;
        int runs = 20;
        List<String> appNames = List.of("hello", "echo", "http", "jdk-http");
        List<String> modeNames = List.of("none", "off", "coroutine", "detect");
        List<App> extra = new ArrayList<>();
        List<String> jvmOpts = new ArrayList<>();
        String agentOpts = "";
        String baseline = null;
        Path raw = null;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--agent" -> agent = argv[++i];
                case "--runs" -> runs = Integer.parseInt(argv[++i]);
                case "--apps" -> appNames = List.of(argv[++i].split(","));
                case "--modes" -> modeNames = List.of(argv[++i].split(","));
                case "--app" -> {
                    extra.add(new App(argv[i + 1], argv[i + 2], argv[i + 3], List.of("0"), Probe.HTTP, argv[i + 4]));
                    i += 4;
                }
                case "--jvm-opt" -> jvmOpts.add(argv[++i]);
                case "--agent-opts" -> agentOpts = argv[++i];
                case "--raw" -> raw = Paths.get(argv[++i]);
                case "--baseline" -> baseline = argv[++i];
                default -> {
                    System.err.println("unknown argument " + argv[i] + "; see the Javadoc of " + StartupBench.class.getName());
                    System.exit(2);
                }
            }
        }
        boolean needsAgent = modeNames.stream().anyMatch(m -> !m.equals("none"));
        if (needsAgent && (agent == null || !Files.isRegularFile(Paths.get(agent)))) {
            System.err.println("StartupBench: agent jar not found (--agent " + agent + "); build it with ./coio build");
            System.exit(2);
        }
        String examples = Paths.get(StartupBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<App> apps = new ArrayList<>();
        for (String name : appNames) {
            apps.add(switch (name) {
                case "hello" -> new App("hello", examples, MainReached.class.getName(), List.of(), Probe.MAIN, null);
                case "echo" -> new App("echo", examples, "io.coio.examples.EchoServer", List.of("0"), Probe.ECHO, null);
                case "http" -> new App("http", examples, "io.coio.examples.HttpServer", List.of("0"), Probe.HTTP, "/hello");
                case "jdk-http" -> new App("jdk-http", examples, JdkHttpHello.class.getName(), List.of("0"), Probe.HTTP, "/");
                default -> throw new IllegalArgumentException("unknown app " + name + " (hello, echo, http, jdk-http)");
            });
        }
        apps.addAll(extra);
        List<Mode> modes = new ArrayList<>();
        for (String m : modeNames) {
            String opts = agentOpts.isEmpty() ? "" : "," + agentOpts;
            modes.add(switch (m) {
                case "none" -> new Mode(m, null, null);
                case "off", "coroutine", "detect" -> new Mode(m, "mode=" + m + opts, null);
                default -> throw new IllegalArgumentException("unknown mode " + m + " (none, off, coroutine, detect)");
            });
        }
        if (baseline != null) { // the same agent modes with another build, e.g. before a change
            for (String m : modeNames) {
                if (!m.equals("none")) {
                    modes.add(new Mode(m + "@baseline", "mode=" + m + (agentOpts.isEmpty() ? "" : "," + agentOpts), baseline));
                }
            }
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println("coio start-up benchmark: " + runs + " runs per app and mode (after one untimed run each),"
                + " modes interleaved; java " + Runtime.version() + "; " + Runtime.getRuntime().availableProcessors()
                + " CPUs");
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        StringBuilder rawLines = new StringBuilder("app\tmode\trun\tfirst_ms\tanswer_ms\tcpu_ms\n");
        for (int run = 0; run <= runs; run++) {
            for (App app : apps) {
                for (int k = 0; k < modes.size(); k++) {
                    Mode mode = modes.get((k + run) % modes.size()); // rotate the order from run to run
                    Sample s = measure(java, jvmOpts, agent, app, mode);
                    if (run == 0) {
                        continue; // untimed: page cache, CPU frequency
                    }
                    samples.computeIfAbsent(app.name() + "\t" + mode.name(), x -> new ArrayList<>()).add(s);
                    rawLines.append(app.name()).append('\t').append(mode.name()).append('\t').append(run).append('\t')
                            .append(fmt(s.first())).append('\t').append(fmt(s.answer())).append('\t')
                            .append(fmt(s.cpu())).append('\n');
                }
            }
            System.err.print(run == 0 ? "warm-up done; runs: " : run + " ");
        }
        System.err.println();
        if (raw != null) {
            Files.writeString(raw, rawLines);
        }
        printTable(apps, modes, samples);
    }

    private static void printTable(List<App> apps, List<Mode> modes, Map<String, List<Sample>> samples) {
        StringBuilder header = new StringBuilder("| app | from launch to |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Mode m : modes) {
            header.append(' ').append(label(m)).append(" |");
            rule.append("---:|");
        }
        for (Mode m : modes) {
            if (m.agentOptions() != null) {
                header.append(' ').append(m.name()).append(" − none |");
                rule.append("---:|");
            }
        }
        System.out.println();
        System.out.println("Milliseconds, median [25th–75th percentile]:");
        System.out.println();
        System.out.println(header);
        System.out.println(rule);
        for (App app : apps) {
            boolean server = app.probe() != Probe.MAIN;
            printRow(app, server ? "listening" : "main()", modes, samples, Sample::first);
            if (server) {
                printRow(app, "first answer", modes, samples, Sample::answer);
            }
            printRow(app, server ? "first answer: JVM CPU ms" : "main(): JVM CPU ms", modes, samples, Sample::cpu);
        }
    }

    private static void printRow(App app, String what, List<Mode> modes, Map<String, List<Sample>> samples,
                                 java.util.function.ToDoubleFunction<Sample> field) {
        StringBuilder row = new StringBuilder("| " + app.name() + " | " + what + " |");
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Mode m : modes) {
            double[] v = samples.get(app.name() + "\t" + m.name()).stream().mapToDouble(field).sorted().toArray();
            double median = percentile(v, 50);
            medians.put(m.name(), median);
            row.append(' ').append(Math.round(median)).append(" [").append(Math.round(percentile(v, 25))).append('–')
                    .append(Math.round(percentile(v, 75))).append("] |");
        }
        for (Mode m : modes) {
            if (m.agentOptions() != null) {
                Double none = medians.get("none");
                row.append(' ').append(none == null ? "" : String.format("%+d", Math.round(medians.get(m.name()) - none)))
                        .append(" |");
            }
        }
        System.out.println(row);
    }

    private static String label(Mode m) {
        return m.agentOptions() == null ? "no agent" : m.name().startsWith("off") ? "mode=" + m.name() : m.name();
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static Sample measure(String java, List<String> jvmOpts, String agent, App app, Mode mode)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOpts);
        if (mode.agentOptions() != null) {
            cmd.add("-javaagent:" + (mode.agent() != null ? mode.agent() : agent) + "=" + mode.agentOptions());
        }
        cmd.addAll(List.of("-cp", app.classPath(), app.mainClass()));
        cmd.addAll(app.args());
        Path err = Files.createTempFile("coio-startup", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        long t0 = epochMicros();
        Process p = pb.start();
        current = p;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Thread killer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    if (!p.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException ignored) {
                    // the run ended in time
                }
            });
            try {
                Sample s = probe(app, out, t0, p.pid());
                checkInstalled(mode, err);
                return s;
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(app.name() + " (" + mode.name() + ") failed: " + e.getMessage()
                        + "; command " + String.join(" ", cmd) + "; its stderr:\n" + Files.readString(err), e);
            } finally {
                killer.interrupt();
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(err);
        }
    }

    private static Sample probe(App app, BufferedReader out, long t0, long pid) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            long now = epochMicros();
            if (app.probe() == Probe.MAIN) {
                Matcher m = MAIN_AT.matcher(line);
                if (m.matches()) {
                    double ms = (Long.parseLong(m.group(1)) - t0) / 1000.0;
                    return new Sample(ms, ms, Double.parseDouble(m.group(2)));
                }
                continue;
            }
            Matcher m = READY.matcher(line);
            if (m.matches()) {
                double ready = (now - t0) / 1000.0;
                request(app, Integer.parseInt(m.group(1)));
                double answer = (epochMicros() - t0) / 1000.0;
                return new Sample(ready, answer, ProcessCpu.millis(pid));
            }
        }
        throw new IOException("the app ended without printing its line");
    }

    /** Sends the first request and reads its answer (an echoed line, or an HTTP 200 status line). */
    private static void request(App app, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String expected;
            if (app.probe() == Probe.ECHO) {
                out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                expected = "hello";
            } else {
                out.write(("GET " + app.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                expected = "HTTP/1.1 200";
            }
            out.flush();
            String line = readLine(in);
            if (!line.startsWith(expected)) {
                throw new IOException("first answer was '" + line + "', expected '" + expected + "…'");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            b.append((char) c);
        }
        return b.toString().strip();
    }

    /** An agent that failed to install runs the app untouched: that is not a measurement of the agent. */
    private static void checkInstalled(Mode mode, Path err) throws IOException {
        if (mode.agentOptions() == null) {
            return;
        }
        String text = Files.readString(err);
        if (text.contains("coio: could not") || text.contains("coio: the agent could not") || text.contains("coio: bad agent option")) {
            throw new IllegalStateException("the agent did not install");
        }
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static String fmt(double ms) {
        return String.format("%.1f", ms);
    }
}
