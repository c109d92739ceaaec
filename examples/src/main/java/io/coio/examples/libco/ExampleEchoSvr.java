package io.coio.examples.libco;

import io.coio.api.Coio;
import io.coio.api.Coroutine;
import io.coio.api.PollFd;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * libco's {@code example_echosvr}, ported line by line to coio's API:
 * {@code example_echosvr IP PORT TASK_COUNT PROCESS_COUNT [-d]}.
 *
 * <p>Each "process" (libco forks; Java starts a thread with its own event loop) creates TASK_COUNT worker
 * coroutines that park themselves on a stack and yield, and one accept coroutine that accepts from the
 * shared non-blocking listening socket and hands each connection to a parked worker by resuming it. A worker
 * echoes with {@code co_poll} + non-blocking read/write until EOF or error. With no free worker the accept
 * coroutine prints {@code empty} and sleeps a second, as libco's does.
 *
 * <p>Output, as libco's: {@code listen <fd> <ip>:<port>}, then {@code accept_routine} per process.
 * Difference: a partial write is completed (libco's worker drops the rest of a partial non-blocking write).
 */
public final class ExampleEchoSvr {
    private static final int POLL_READ = Coio.POLLIN | Coio.POLLERR | Coio.POLLHUP;

    /** libco's {@code task_t}: one worker coroutine and the connection it was handed. */
    private static final class Task {
        Coroutine co;
        SocketChannel fd;
    }

    /** One libco "process": its own loop, worker stack and accept coroutine. Confined to its loop's thread. */
    private final class Process implements Runnable {
        private final ArrayDeque<Task> readwrite = new ArrayDeque<>();

        @Override
        public void run() {
            for (int i = 0; i < taskCount; i++) {
                Task task = new Task();
                task.co = Coroutine.create("readwrite-" + i, () -> readwriteRoutine(task));
                task.co.resume();
            }
            Coroutine accept = Coroutine.create("accept", this::acceptRoutine);
            accept.resume();
            Coio.eventLoop(() -> stopped ? -1 : 0);
        }

        private void readwriteRoutine(Task co) {
            Coroutine.enableHooks();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            for (;;) {
                if (co.fd == null) {
                    readwrite.push(co);
                    Coroutine.yield();
                    continue;
                }
                SocketChannel fd = co.fd;
                co.fd = null;
                for (;;) {
                    Coio.poll(new PollFd(fd, POLL_READ), 1000);
                    int ret;
                    try {
                        buf.clear();
                        ret = fd.read(buf);
                        if (ret > 0) {
                            buf.flip();
                            writeAll(fd, buf);
                        }
                    } catch (IOException e) {
                        ret = -1;
                    }
                    if (ret >= 0) { // data echoed, or 0 = EAGAIN (libco: -1 with errno EAGAIN)
                        continue;
                    }
                    close(fd);
                    break;
                }
            }
        }

        private void acceptRoutine() {
            Coroutine.enableHooks();
            out.println("accept_routine");
            out.flush();
            for (;;) {
                if (readwrite.isEmpty()) {
                    out.println("empty");
                    Coio.sleep(1000);
                    continue;
                }
                SocketChannel fd;
                try {
                    fd = listen.accept();
                } catch (IOException e) {
                    fd = null;
                }
                if (fd == null) {
                    Coio.poll(new PollFd(listen, POLL_READ), 1000);
                    continue;
                }
                try {
                    fd.configureBlocking(false);
                } catch (IOException e) {
                    close(fd);
                    continue;
                }
                Task co = readwrite.pop();
                co.fd = fd;
                co.co.resume();
            }
        }
    }

    private final PrintStream out;
    private final int taskCount;
    private final ServerSocketChannel listen;
    private final List<Thread> processes = new ArrayList<>();
    private volatile boolean stopped;

    private ExampleEchoSvr(PrintStream out, ServerSocketChannel listen, int taskCount) {
        this.out = out;
        this.listen = listen;
        this.taskCount = taskCount;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.out.print("Usage:\n"
                    + "example_echosvr [IP] [PORT] [TASK_COUNT] [PROCESS_COUNT]\n"
                    + "example_echosvr [IP] [PORT] [TASK_COUNT] [PROCESS_COUNT] -d   # daemonize mode\n");
            System.exit(255);
        }
        boolean daemonize = args.length >= 6 && args[5].equals("-d");
        ExampleEchoSvr svr = start(System.out, args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]));
        if (svr == null) {
            System.exit(255);
        }
        if (!daemonize) {
            svr.join();
        }
    }

    /** Binds, prints libco's lines, starts the processes; null (after libco's message) if the port is in use. */
    static ExampleEchoSvr start(PrintStream out, String ip, int port, int taskCount, int processCount) throws IOException {
        ServerSocketChannel listen = ServerSocketChannel.open();
        try {
            listen.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listen.bind(SetAddr.of(ip, port), 1024);
        } catch (IOException e) {
            listen.close();
            out.printf("Port %d is in use\n", port);
            out.flush();
            return null;
        }
        int actualPort = ((java.net.InetSocketAddress) listen.getLocalAddress()).getPort();
        out.printf("listen %d %s:%d\n", PollFd.fdOf(listen), ip, actualPort);
        out.flush();
        listen.configureBlocking(false);
        ExampleEchoSvr svr = new ExampleEchoSvr(out, listen, taskCount);
        for (int k = 0; k < processCount; k++) {
            Thread t = new Thread(svr.new Process(), "echosvr-process-" + k);
            svr.processes.add(t);
            t.start();
        }
        return svr;
    }

    int port() throws IOException {
        return ((java.net.InetSocketAddress) listen.getLocalAddress()).getPort();
    }

    void join() throws InterruptedException {
        for (Thread t : processes) {
            t.join();
        }
    }

    /** For tests: ends every process's event loop (its coroutines stay suspended) and closes the listener. */
    void stop() throws Exception {
        stopped = true;
        for (Thread t : processes) {
            t.join(60_000);
        }
        listen.close();
    }

    static void writeAll(SocketChannel fd, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (fd.write(buf) == 0
                    && Coio.poll(new PollFd(fd, Coio.POLLOUT | Coio.POLLERR | Coio.POLLHUP), 1000) == 0) {
                throw new IOException("write timed out"); // libco's hooked write gives up after its 1 s timeout too
            }
        }
    }

    private static void close(SocketChannel fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with this connection
        }
    }
}
