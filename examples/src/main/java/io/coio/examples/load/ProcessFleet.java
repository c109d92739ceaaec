package io.coio.examples.load;

import io.coio.examples.load.EchoLoad.Outcome;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code --processes P}: the load split over P load-tool JVMs, so that one client JVM (its GC, its JIT, one
 * process's share of the scheduler) is not what limits the measurement. The coordinator (the JVM the user
 * started) starts P members, each with its share of the connections, and runs them in lock step over their
 * stdin/stdout:
 * <pre>
 *   member:      connect its share -> "connected N" -> wait "go" -> round trips -> "done" -> wait "release"
 *                -> close -> "result ...", "histogram ...", "message ..."*, "end" -> exit
 *   coordinator: all "connected" -> phase start, server CPU -> "go" to all -> all "done" -> server CPU,
 *                phase stop, server threads -> "release" to all -> merge the results
 * </pre>
 * so the timed window is the same as in one process: from the moment every connection of every member is open
 * to the moment the last member finished. Round trips, errors and the latency histograms are summed.
 * The coordinator's state is confined to its main thread; each member's stdout is read by one reader thread
 * that hands lines over through a queue.
 */
final class ProcessFleet {

    static final String MEMBER_FLAG = "--fleet-member";
    private static final String EOF = "\u0000eof";
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(15);

    private ProcessFleet() {
    }

    /** One member JVM seen from the coordinator. */
    private static final class Member {
        final int index;
        final Process process;
        final Writer stdin;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Member(int index, Process process) {
            this.index = index;
            this.process = process;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofPlatform().daemon().name("fleet-member-" + index).start(this::readLines);
        }

        private void readLines() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the member died: EOF below tells the coordinator
            }
            lines.add(EOF);
        }

        void send(String line) throws IOException {
            stdin.write(line + "\n");
            stdin.flush();
        }

        /** The member's next line, which must start with {@code prefix}. @throws IOException if it does not come in time */
        String expect(String prefix, long deadlineNanos) throws IOException, InterruptedException {
            String line = lines.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(EOF) || !line.startsWith(prefix)) {
                throw new IOException("load-tool process " + index + " (pid " + process.pid() + "): expected '" + prefix
                        + "', got " + (line == null ? "nothing in time" : line.equals(EOF) ? "its exit" : "'" + line + "'"));
            }
            return line.substring(prefix.length()).strip();
        }
    }

    /** The coordinator: runs the load over {@code options.processes} members; the warm-up has run already. */
    static LoadResult run(LoadOptions options, ServerProbe probe, PhaseListener phases, PrintStream err)
            throws InterruptedException {
        List<Member> members = new ArrayList<>();
        long startNanos = System.nanoTime();
        long deadline = startNanos + options.timeout.toNanos() + GRACE_NANOS;
        long connectedNanos = startNanos;
        long roundTripsStartNanos = startNanos;
        long endNanos = startNanos;
        long cpuBefore = -1;
        long cpuAfter = -1;
        int opened = 0;
        int threadsFinal = -1;
        long roundTrips = 0;
        long clientCpu = 0; // the members' CPU during the round trips; -1 once one is unknown
        long[] errors = new long[4]; // connect, io, verify, timeout
        List<String> messages = new ArrayList<>();
        LatencyHistogram latencies = new LatencyHistogram();
        probe.threads();
        try {
            for (int i = 0; i < options.processes; i++) {
                int share = options.connections / options.processes + (i < options.connections % options.processes ? 1 : 0);
                members.add(new Member(i, start(options, share)));
            }
            for (Member m : members) {
                opened += Integer.parseInt(m.expect("connected ", deadline));
            }
            connectedNanos = System.nanoTime();
            phases.beforeRoundTrips(opened);
            cpuBefore = probe.cpuMicros();
            roundTripsStartNanos = System.nanoTime();
            for (Member m : members) {
                m.send("go");
            }
            for (Member m : members) {
                m.expect("done", deadline);
            }
            endNanos = System.nanoTime();
            cpuAfter = probe.cpuMicros();
            phases.afterRoundTrips();
            threadsFinal = probe.threads();
            for (Member m : members) {
                m.send("release");
            }
            for (Member m : members) {
                String[] f = m.expect("result ", deadline).split(" ");
                roundTrips += Long.parseLong(f[0]);
                for (int k = 0; k < errors.length; k++) {
                    errors[k] += Long.parseLong(f[1 + k]);
                }
                long memberCpu = Long.parseLong(f[5]);
                clientCpu = clientCpu < 0 || memberCpu < 0 ? -1 : clientCpu + memberCpu;
                latencies.add(LatencyHistogram.decode(m.expect("histogram ", deadline)));
                for (String line = m.expect("", deadline); !line.equals("end"); line = m.expect("", deadline)) {
                    if (line.startsWith("message ") && messages.size() < 5) {
                        messages.add(line.substring("message ".length()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            err.println("load: " + e.getMessage());
            messages.add("load-tool processes: " + e.getMessage());
            errors[3] += Math.max(1, (long) options.connections * options.roundTrips - roundTrips); // unfinished: timed out
        } finally {
            for (Member m : members) {
                if (!m.process.waitFor(10, TimeUnit.SECONDS)) {
                    m.process.destroyForcibly();
                }
            }
        }
        if (roundTrips == 0) {
            clientCpu = -1;
        }
        return new LoadResult(options.host + ":" + options.port, options.connections, options.roundTripsPerConnection(),
                options.payloadBytes, options.clientThreads, options.processes, opened, (connectedNanos - startNanos) / 1e9,
                roundTrips, (endNanos - roundTripsStartNanos) / 1e9,
                latencies.percentileNanos(50), latencies.percentileNanos(99), latencies.percentileNanos(99.9),
                latencies.maxNanos(), errors[0], errors[1], errors[2], errors[3], List.copyOf(messages),
                options.serverPid, probe.maxThreads(), threadsFinal,
                cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore, clientCpu, null, null);
    }

    /** Starts one member: this JVM's java, class path and JVM flags, the same load options with its share. */
    private static Process start(LoadOptions o, int connections) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoLoad.class.getName(), MEMBER_FLAG,
                "--host", o.host, "--port", Integer.toString(o.port), "-c", Integer.toString(connections),
                "-r", Integer.toString(o.roundTrips), "-s", Integer.toString(o.payloadBytes),
                "--threads", Integer.toString(o.clientThreads),
                "--connect-concurrency", Integer.toString(Math.max(1, o.connectConcurrency / o.processes)),
                "--timeout-s", Long.toString(o.timeout.toSeconds()), "--quiet"));
        if (o.warmup) {
            command.add("--warmup");
        }
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** A member: runs its share with the coordinator's go / release, then reports; returns the exit code. */
    static int member(LoadOptions options, InputStream in, PrintStream out, PrintStream err) throws InterruptedException {
        if (options.warmup) {
            LoadResult warmUp = EchoLoad.warmUp(options, err);
            if (!warmUp.ok()) {
                err.println("load: a fleet member's warm-up run failed");
                warmUp.print(err);
            }
        }
        BufferedReader commands = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        PhaseListener lockStep = new PhaseListener() {
            @Override
            public void beforeRoundTrips(int opened) throws InterruptedException {
                out.println("connected " + opened);
                out.flush();
                await("go");
            }

            @Override
            public void afterRoundTrips() throws InterruptedException {
                out.println("done");
                out.flush();
                await("release");
            }

            private void await(String command) {
                try {
                    String line = commands.readLine();
                    if (!command.equals(line)) {
                        err.println("load: fleet member expected '" + command + "', got " + line);
                    }
                } catch (IOException e) {
                    err.println("load: fleet member lost its coordinator: " + e.getMessage());
                }
            }
        };
        Outcome outcome = EchoLoad.runPhases(options, new InetSocketAddress(options.host, options.port), ServerProbe.of(-1),
                null, null, lockStep, err);
        LoadResult r = outcome.result();
        out.println("result " + r.roundTripsDone() + " " + r.connectErrors() + " " + r.ioErrors() + " " + r.verifyErrors()
                + " " + r.timeouts() + " " + r.clientCpuMicros());
        out.println("histogram " + outcome.latencies().encode());
        for (String message : r.firstErrors()) {
            out.println("message " + message.replace('\n', ' '));
        }
        out.println("end");
        out.flush();
        return r.ok() ? 0 : 1;
    }
}
