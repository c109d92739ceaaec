package io.coio.examples.libco;

import io.coio.api.Coio;
import io.coio.api.Coroutine;
import io.coio.api.PollFd;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * libco's {@code example_poll}: {@code example_poll IP PORT [IP PORT ...]}. {@code poll_routine} starts a
 * non-blocking connect to every address and polls all of them for POLLOUT with a 1 s timeout, printing
 * what fired. It runs once on the main thread (there, as in libco, poll blocks the thread) and then in ten
 * coroutines that poll concurrently on one event loop. Output follows libco's lines; {@code %p} prints a
 * Java identity hash, errno values are Linux's.
 *
 * <p>Like libco's, the routine counts every polled fd as "raised" after the first poll (it inserts each
 * one, fired or not), so each routine polls once.
 */
public final class ExamplePoll {
    private static final int EVENTS = Coio.POLLOUT | Coio.POLLERR | Coio.POLLHUP;

    private final PrintStream out;
    private final List<InetSocketAddress> v;
    private int finished;

    ExamplePoll(PrintStream out, List<InetSocketAddress> v) {
        this.out = out;
        this.v = v;
    }

    public static void main(String[] args) {
        List<InetSocketAddress> v = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            v.add(SetAddr.of(args[i], Integer.parseInt(args[i + 1])));
        }
        new ExamplePoll(System.out, v).run(true);
    }

    /** Runs the main-thread poll and the ten coroutines; returns when all ten finished (libco loops forever). */
    void run(boolean forever) {
        out.print("--------------------- main -------------------\n");
        pollRoutine();
        out.print("--------------------- routine -------------------\n");
        out.flush();
        for (int i = 0; i < 10; i++) {
            Coroutine co = Coroutine.create("poll_routine-" + i, this::pollRoutine);
            out.printf("routine i %d\n", i);
            co.resume();
        }
        Coio.eventLoop(() -> !forever && finished == 10 ? -1 : 0);
    }

    private void pollRoutine() {
        Coroutine.enableHooks();
        String self = self();
        List<SocketChannel> fds = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            int ret = 0;
            int errno = 0;
            String err = "Success";
            SocketChannel fd = null;
            try {
                fd = SocketChannel.open();
                fd.configureBlocking(false);
                if (!fd.connect(v.get(i))) {
                    ret = -1;
                    errno = 115;
                    err = "Operation now in progress";
                }
            } catch (ConnectException e) {
                ret = -1;
                errno = 111;
                err = "Connection refused";
            } catch (NoRouteToHostException e) {
                ret = -1;
                errno = 113;
                err = "No route to host";
            } catch (IOException e) {
                ret = -1;
                errno = 101;
                err = "Network is unreachable";
            }
            fds.add(fd);
            out.printf("co %s connect i %d ret %d errno %d (%s)\n", self, i, ret, errno, err);
        }
        PollFd[] pf = new PollFd[fds.size()];
        for (int i = 0; i < pf.length; i++) {
            pf[i] = new PollFd(fds.get(i) != null ? PollFd.fdOf(fds.get(i)) : -1, EVENTS);
        }
        Set<Integer> setRaiseFds = new HashSet<>();
        int iWaitCnt = pf.length;
        for (;;) {
            PollFd[] waiting = java.util.Arrays.copyOf(pf, iWaitCnt);
            int ret = Coio.poll(waiting, 1000);
            out.printf("co %s poll wait %d ret %d\n", self, iWaitCnt, ret);
            for (int i = 0; i < iWaitCnt; i++) {
                out.printf("co %s fire fd %d revents 0x%X POLLOUT 0x%X POLLERR 0x%X POLLHUP 0x%X\n",
                        self, pf[i].fd(), pf[i].revents(), Coio.POLLOUT, Coio.POLLERR, Coio.POLLHUP);
                setRaiseFds.add(pf[i].fd());
            }
            if (setRaiseFds.size() == v.size() || ret <= 0) {
                break;
            }
            iWaitCnt = 0;
            for (SocketChannel fd : fds) {
                int f = fd != null ? PollFd.fdOf(fd) : -1;
                if (!setRaiseFds.contains(f)) {
                    pf[iWaitCnt++] = new PollFd(f, EVENTS);
                }
            }
        }
        for (SocketChannel fd : fds) {
            try {
                if (fd != null) {
                    fd.close();
                }
            } catch (IOException ignored) {
                // closing: nothing to report
            }
        }
        out.printf("co %s task cnt %d fire %d\n", self, v.size(), setRaiseFds.size());
        out.flush();
        if (Coroutine.current() != null) {
            finished++;
        }
    }

    private static String self() {
        Object me = Coroutine.current() != null ? Coroutine.current() : Thread.currentThread();
        return "0x" + Integer.toHexString(System.identityHashCode(me));
    }
}
