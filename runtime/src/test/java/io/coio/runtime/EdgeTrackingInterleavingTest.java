package io.coio.runtime;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the interleavings of the edge-triggered readiness protocol ({@link FdState}): a model kernel socket (bytes
 * available, an edge queued in epoll's ready list), a peer that sends chunks at random moments, the home loop that
 * registers the fd and reports edges, and a coroutine running the JDK's read loop through coio's hooks — every step
 * of each a separate atomic action, the order picked by a seeded random scheduler. The production code decides
 * (skip the syscall or not, what the syscall taught, how a wait starts); the model only plays the kernel and the
 * JDK around it.
 *
 * <p>Half of the schedules end with the peer's FIN (end of stream after the data). Checked for every schedule: no lost wake-up (the run never gets stuck with bytes unread: a parked coroutine
 * always has an edge coming), every byte read once, and no doomed syscall beyond one per reported edge. Across all
 * schedules the interesting paths must have been taken (syscalls skipped, waits settled by their ticket, parked
 * waits woken by an edge) — if the skip is switched off, or made to ignore edges, this test fails.
 */
class EdgeTrackingInterleavingTest {
    private static final int SCHEDULES = 20_000;
    private static final int MAX_STEPS = 20_000;

    @Test
    @DisplayName("random interleavings of peer, epoll, home loop and a reading coroutine: no lost wake-up, no doomed read beyond one per edge")
    void noScheduleLosesAWakeUpOrWastesSyscalls() {
        long skipped = 0;
        long settledByTicket = 0;
        long wokenByEdge = 0;
        for (int seed = 0; seed < SCHEDULES; seed++) {
            Model m = new Model(new Random(seed), seed);
            m.run();
            skipped += m.skipped;
            settledByTicket += m.settledByTicket;
            wokenByEdge += m.wokenByEdge;
        }
        assertTrue(skipped > 0, "no schedule skipped a read that had to fail");
        assertTrue(settledByTicket > 0, "no wait was settled by its ticket (an edge between the syscall and the wait)");
        assertTrue(wokenByEdge > 0, "no parked wait was woken by an edge");
    }

    /** One schedule. Reader phases and the model kernel; one {@link #step} is one atomic action. */
    private static final class Model {
        enum Phase { BEFORE, SYSCALL, AFTER, TICKET, ATTACH, DECIDE, PARKED, DONE }

        final Random rnd;
        final int seed;
        final FdState st = new FdState(7);
        final Object jdkFd = new Object();
        final int len;
        final double peerPace;
        final List<String> trace = new ArrayList<>();

        // the kernel
        int available;
        boolean edgeQueued;
        // the peer
        int chunksLeft;
        int sent;
        final boolean endsWithFin;
        boolean finArrived;
        // the home loop
        boolean registrationRequested;
        // the coroutine
        Phase phase = Phase.BEFORE;
        boolean stateExists;
        int edgesBefore;
        int n;
        int ticket;
        Waiter waiter;
        int received;
        boolean parkedForReal;
        // counts
        int doomedSyscalls;
        int edgesReported;
        long skipped;
        long settledByTicket;
        long wokenByEdge;

        Model(Random rnd, int seed) {
            this.rnd = rnd;
            this.seed = seed;
            this.len = new int[] {16, 64, 256}[rnd.nextInt(3)];
            this.chunksLeft = 4 + rnd.nextInt(30);
            this.peerPace = new double[] {0.02, 0.1, 0.5, 1.0}[rnd.nextInt(4)];
            this.endsWithFin = rnd.nextBoolean();
        }

        void run() {
            for (int steps = 0; ; steps++) {
                if (phase == Phase.DONE) {
                    check(doomedSyscalls <= edgesReported + 1,
                            "doomed syscalls " + doomedSyscalls + " > edges reported " + edgesReported + " + 1");
                    return;
                }
                if (steps > MAX_STEPS) {
                    check(false, "no progress after " + MAX_STEPS + " steps (a spin)");
                }
                List<Runnable> enabled = new ArrayList<>(4);
                if (chunksLeft > 0) {
                    enabled.add(this::peerSends);
                } else if (endsWithFin && !finArrived) {
                    enabled.add(this::peerShutsDownOutput);
                }
                if (registrationRequested) {
                    enabled.add(this::homeRegisters);
                }
                if (edgeQueued) {
                    enabled.add(this::homeReportsEdge);
                }
                if (phase != Phase.PARKED || waiter.state() != Waiter.WAITING) {
                    enabled.add(this::readerStep);
                }
                if (enabled.isEmpty()) {
                    check(false, "stuck: the coroutine is parked, " + available + " bytes are unread and no edge is coming");
                }
                enabled.get(rnd.nextInt(enabled.size())).run();
            }
        }

        void peerSends() {
            if (rnd.nextDouble() >= peerPace) {
                return; // the peer is slower than the reader in most schedules, so that the reader waits
            }
            int k = 1 + rnd.nextInt(2 * len);
            available += k;
            sent += k;
            chunksLeft--;
            if (st.reg != null) {
                edgeQueued = true; // EPOLLET: every arrival queues the fd in the ready list
            }
            trace.add("peer sends " + k);
        }

        void peerShutsDownOutput() {
            finArrived = true;
            if (st.reg != null) {
                edgeQueued = true; // EPOLLIN | EPOLLRDHUP
            }
            trace.add("peer shuts down its output (FIN)");
        }

        boolean readable() {
            return available > 0 || finArrived;
        }

        void homeRegisters() {
            registrationRequested = false;
            if (st.reg == null) {
                st.reg = new FdRegistration(st, null); // epoll_ctl ADD, then MOD(ET): reported at once if readable
            }
            edgeQueued |= readable();
            st.confirmed = true;
            trace.add("home loop registers");
        }

        void homeReportsEdge() {
            edgeQueued = false;
            if (!readable() && rnd.nextBoolean()) {
                trace.add("epoll drops the edge (re-polled: not readable now)");
                return; // ep_send_events re-polls the item; an edge whose data is gone may not be reported
            }
            edgesReported++;
            if (finArrived) {
                st.hungUp(); // the event carries EPOLLRDHUP (FdRegistration.handle)
            }
            Waiter w = st.edge(FdState.READ);
            if (w != null && w.complete(Waiter.READY) && parkedForReal) {
                wokenByEdge++;
            }
            trace.add("home loop reports an edge" + (w != null ? " and wakes the waiter" : ""));
        }

        void readerStep() {
            switch (phase) {
                case BEFORE -> {
                    edgesBefore = stateExists ? st.beforeTrackedIo(jdkFd, FdState.READ) : Hooks.NOT_TRACKED;
                    if (edgesBefore == FdState.SKIP) {
                        skipped++;
                        n = FdState.UNAVAILABLE;
                        phase = Phase.TICKET;
                        check(!readable() || edgeQueued, "skipped a read with " + available + " bytes available"
                                + (finArrived ? " and end of stream" : "") + " and no edge queued");
                    } else {
                        phase = Phase.SYSCALL;
                    }
                }
                case SYSCALL -> {
                    if (available == 0 && finArrived) {
                        n = -1; // end of stream
                    } else if (available == 0) {
                        n = FdState.UNAVAILABLE;
                        doomedSyscalls++;
                    } else {
                        n = Math.min(available, len);
                        available -= n;
                        received += n;
                    }
                    phase = Phase.AFTER;
                }
                case AFTER -> {
                    if (edgesBefore > 0) {
                        st.afterTrackedIo(FdState.READ, n, len, edgesBefore);
                    }
                    if (n == -1) {
                        check(received == sent, "end of stream before all bytes were read");
                        phase = Phase.DONE;
                    } else if (n > 0) {
                        phase = received == sent && chunksLeft == 0 && !endsWithFin ? Phase.DONE : Phase.BEFORE;
                    } else {
                        phase = Phase.TICKET;
                    }
                }
                case TICKET -> {
                    stateExists = true;
                    st.registeringFor(jdkFd); // what Hooks.poll does after an untracked attempt of this socket
                    ticket = st.takeTicket(FdState.READ);
                    waiter = new Waiter(Thread.currentThread(), st, false, 0) {
                        @Override
                        void wake() {
                            // the model's scheduler sees the state change; nothing to unpark
                        }
                    };
                    phase = Phase.ATTACH;
                }
                case ATTACH -> {
                    st.attach(waiter);
                    phase = Phase.DECIDE;
                }
                case DECIDE -> {
                    parkedForReal = false;
                    switch (st.armDecision(FdState.READ, ticket)) {
                        case FdState.ARM_REGISTER -> registrationRequested = true;
                        case FdState.ARM_READY -> {
                            waiter.complete(Waiter.READY);
                            settledByTicket++;
                        }
                        case FdState.ARM_REARM -> { // epoll_ctl MOD: the kernel re-checks and queues the fd if ready
                            edgeQueued |= readable();
                            st.confirmed = true;
                        }
                        case FdState.ARM_PARK -> parkedForReal = true;
                        default -> check(false, "stopped, but nothing closed the fd");
                    }
                    trace.add("reader waits (ticket " + ticket + ")");
                    phase = Phase.PARKED;
                }
                case PARKED -> {
                    waiter.cancel();
                    st.detach(waiter);
                    phase = Phase.BEFORE;
                }
                default -> throw new IllegalStateException(phase.toString());
            }
        }

        void check(boolean ok, String what) {
            if (!ok) {
                int from = Math.max(0, trace.size() - 30);
                fail("seed " + seed + " (len " + len + "): " + what + "; last steps: " + trace.subList(from, trace.size()));
            }
        }
    }
}
