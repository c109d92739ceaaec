package io.coio.examples.libco;

import io.coio.api.Coio;
import io.coio.api.Coroutine;
import io.coio.api.PollFd;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * libco's {@code example_echocli}, ported to coio's API: {@code example_echocli IP PORT TASK_COUNT PROCESS_COUNT}.
 *
 * <p>Each "process" (a thread with its own event loop; libco forks) runs TASK_COUNT coroutines; each keeps
 * one connection and loops: write the 8 bytes {@code "sarlmol\0"}, read once (up to 16 KiB). A read that
 * returns data counts as a success; a failed connect, write or read (error, EOF, or nothing within libco's
 * 1 s hooked-read timeout) counts as a failure and the coroutine reconnects. Once per second each process
 * prints libco's line {@code time <t> Succ Cnt <n> Fail Cnt <m>} (t: the previous second, as libco prints).
 *
 * <p>The blocking-with-timeout behaviour that libco's hooks give {@code connect}/{@code write}/{@code read}
 * (75 s connect, 1 s read and write) is written out with {@link Coio#poll} on non-blocking channels, so the
 * port behaves the same with or without coio's agent.
 */
public final class ExampleEchoCli {
    private static final byte[] STR = "sarlmol\0".getBytes(StandardCharsets.US_ASCII);
    private static final int CONNECT_TIMEOUT_MS = 75_000;
    /** libco's hooked read/write timeout. */
    static final int LIBCO_IO_TIMEOUT_MS = 1000;

    /** One libco "process": its counters are touched only by its own coroutines and loop. */
    private final class Process implements Runnable {
        private int iSuccCnt;
        private int iFailCnt;
        private int iTime;
        /** Every success and failure, for tests (libco's per-second counts skip the one that prints). */
        private long allSucc;
        private long allFail;

        @Override
        public void run() {
            for (int i = 0; i < taskCount; i++) {
                Coroutine co = Coroutine.create("echocli-" + i, this::readwriteRoutine);
                co.resume();
            }
            Coio.eventLoop(() -> stopped ? -1 : 0);
        }

        private void addSuccCnt() {
            allSucc++;
            int now = (int) (System.currentTimeMillis() / 1000);
            if (now > iTime) {
                report();
                iTime = now;
                iSuccCnt = 0;
                iFailCnt = 0;
            } else {
                iSuccCnt++;
            }
        }

        private void addFailCnt() {
            allFail++;
            int now = (int) (System.currentTimeMillis() / 1000);
            if (now > iTime) {
                report();
                iTime = now;
                iSuccCnt = 0;
                iFailCnt = 0;
            } else {
                iFailCnt++;
            }
        }

        private void report() {
            out.printf("time %d Succ Cnt %d Fail Cnt %d\n", iTime, iSuccCnt, iFailCnt);
            out.flush();
        }

        private void readwriteRoutine() {
            Coroutine.enableHooks();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            SocketChannel fd = null;
            while (!stopped) {
                if (fd == null) {
                    fd = connect();
                    if (fd == null) {
                        addFailCnt();
                        continue;
                    }
                }
                try {
                    writeWithTimeout(fd, ByteBuffer.wrap(STR), ioTimeoutMs);
                    buf.clear();
                    Coio.poll(new PollFd(fd, Coio.POLLIN | Coio.POLLERR | Coio.POLLHUP), ioTimeoutMs);
                    int ret = fd.read(buf);
                    if (ret <= 0) { // EOF, or nothing within the read timeout (libco: -1 EAGAIN)
                        throw new IOException("read returned " + ret);
                    }
                    addSuccCnt();
                } catch (IOException e) {
                    close(fd);
                    fd = null;
                    addFailCnt();
                }
            }
            if (fd != null) {
                close(fd);
            }
        }

        /** libco's hooked {@code socket} + {@code connect}: non-blocking connect, wait for it, check SO_ERROR. */
        private SocketChannel connect() {
            SocketChannel fd = null;
            try {
                fd = SocketChannel.open();
                fd.configureBlocking(false);
                if (!fd.connect(endpoint)) {
                    Coio.poll(new PollFd(fd, Coio.POLLOUT | Coio.POLLERR | Coio.POLLHUP), CONNECT_TIMEOUT_MS);
                    if (!fd.finishConnect()) {
                        throw new IOException("connect timed out");
                    }
                }
                return fd;
            } catch (IOException e) {
                if (fd != null) {
                    close(fd);
                }
                if (e.getMessage() == null || !e.getMessage().contains("timed out")) {
                    Coio.sleep(1); // a refused connect fails at once; don't spin the loop at full speed
                }
                return null;
            }
        }
    }

    private final PrintStream out;
    private final InetSocketAddress endpoint;
    private final int taskCount;
    /** libco's 1 s; tests on a loaded machine pass a longer one so that a slow second is not a failure. */
    private final int ioTimeoutMs;
    private final List<Thread> processes = new ArrayList<>();
    private final List<Process> states = new ArrayList<>();
    private volatile boolean stopped;

    private ExampleEchoCli(PrintStream out, InetSocketAddress endpoint, int taskCount, int ioTimeoutMs) {
        this.out = out;
        this.endpoint = endpoint;
        this.taskCount = taskCount;
        this.ioTimeoutMs = ioTimeoutMs;
    }

    public static void main(String[] args) {
        if (args.length < 4) {
            System.out.print("Usage:\nexample_echocli [IP] [PORT] [TASK_COUNT] [PROCESS_COUNT]\n");
            System.exit(255);
        }
        start(System.out, args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                LIBCO_IO_TIMEOUT_MS);
        // libco's parent returns while its children run on: here the process threads keep the JVM alive.
    }

    static ExampleEchoCli start(PrintStream out, String ip, int port, int taskCount, int processCount, int ioTimeoutMs) {
        ExampleEchoCli cli = new ExampleEchoCli(out, SetAddr.of(ip, port), taskCount, ioTimeoutMs);
        for (int k = 0; k < processCount; k++) {
            Process p = cli.new Process();
            cli.states.add(p);
            Thread t = new Thread(p, "echocli-process-" + k);
            cli.processes.add(t);
            t.start();
        }
        return cli;
    }

    /** For tests: ends the loops (coroutines finish their current round trip first) and waits for them. */
    void stop() throws InterruptedException {
        stopped = true;
        for (Thread t : processes) {
            t.join(60_000);
        }
    }

    /** After {@link #stop()}: every successful round trip (the join orders the processes' writes before). */
    long totalSucc() {
        return states.stream().mapToLong(p -> p.allSucc).sum();
    }

    /** After {@link #stop()}: every failed connect, write or read. */
    long totalFail() {
        return states.stream().mapToLong(p -> p.allFail).sum();
    }

    private static void writeWithTimeout(SocketChannel fd, ByteBuffer buf, int ioTimeoutMs) throws IOException {
        while (buf.hasRemaining()) {
            if (fd.write(buf) == 0
                    && Coio.poll(new PollFd(fd, Coio.POLLOUT | Coio.POLLERR | Coio.POLLHUP), ioTimeoutMs) == 0) {
                throw new IOException("write timed out");
            }
        }
    }

    private static void close(SocketChannel fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // closing after a failure: nothing more to report
        }
    }
}
