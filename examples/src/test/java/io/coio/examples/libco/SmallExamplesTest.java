package io.coio.examples.libco;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** example_cond, example_specific, example_poll, example_thread and the generator pipeline. */
class SmallExamplesTest {

    @Test
    void condHandsEveryProducedTaskToTheConsumerInOrder() {
        Output out = new Output();
        new ExampleCond(out.stream, 10, 5).run();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add("Producer:44 produce task " + i);
            expected.add("Consumer:63 consume task " + i);
        }
        assertEquals(expected, out.lines());
    }

    @Test
    void specificGivesEachCoroutineItsOwnValue() {
        Output out = new Output();
        new ExampleSpecific(out.stream, 10, 3).run();
        List<String> expected = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < 10; i++) {
                expected.add("RoutineFunc:45 routine specific data idx " + i);
            }
        }
        assertEquals(expected, out.lines());
    }

    @Test
    void pollReportsEveryConnectingSocketWritableInMainAndInTenCoroutines() throws Exception {
        try (ServerSocketChannel a = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 64);
             ServerSocketChannel b = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 64)) {
            List<InetSocketAddress> v = List.of((InetSocketAddress) a.getLocalAddress(), (InetSocketAddress) b.getLocalAddress());
            Output out = new Output();
            new ExamplePoll(out.stream, v).run(false);
            List<String> lines = out.lines();
            assertEquals("--------------------- main -------------------", lines.get(0));
            assertTrue(lines.contains("--------------------- routine -------------------"));
            assertEquals(11, lines.stream().filter(l -> l.matches("co 0x\\p{XDigit}+ task cnt 2 fire 2")).count(), lines.toString());
            assertEquals(22, lines.stream().filter(l -> l.matches("co 0x\\p{XDigit}+ fire fd \\d+ revents 0x4 POLLOUT 0x4 POLLERR 0x8 POLLHUP 0x10")).count(),
                    lines.toString());
            // The ten routines started their connects one after the other before any poll returned: they waited concurrently.
            int lastConnect = -1;
            int firstPollInRoutines = Integer.MAX_VALUE;
            int routineStart = lines.indexOf("--------------------- routine -------------------");
            for (int i = routineStart; i < lines.size(); i++) {
                if (lines.get(i).contains(" connect i ")) {
                    lastConnect = i;
                }
                if (lines.get(i).contains(" poll wait ")) {
                    firstPollInRoutines = Math.min(firstPollInRoutines, i);
                }
            }
            assertTrue(lastConnect < firstPollInRoutines, lines.toString());
        }
    }

    @Test
    void threadRunsOneLoopPerThreadConcurrently() throws Exception {
        ExampleThread ex = new ExampleThread(3).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !(ex.iterations(0) > 20 && ex.iterations(1) > 20 && ex.iterations(2) > 20)) {
            Thread.sleep(10); // polling the loops' counters; bounded and asserted below
        }
        ex.stop();
        for (int i = 0; i < 3; i++) {
            assertTrue(ex.iterations(i) > 20, "thread " + i + ": " + ex.iterations(i));
        }
    }

    @Test
    void generatorPipelineComputesPrimesLazily() {
        Output out = new Output();
        ExampleGenerator.run(out.stream, 6);
        // "generated" = p - 1: the generator ran exactly as far as the filter asked, never ahead.
        assertEquals(List.of("prime 1 = 2 (generated 1)", "prime 2 = 3 (generated 2)", "prime 3 = 5 (generated 4)",
                "prime 4 = 7 (generated 6)", "prime 5 = 11 (generated 10)", "prime 6 = 13 (generated 12)"), out.lines());
    }
}
