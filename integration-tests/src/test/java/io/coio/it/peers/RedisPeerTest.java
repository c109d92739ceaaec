package io.coio.it.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import example.peers.JedisApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.RedisServer;
import io.coio.it.harness.ThreadPeak;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Jedis, unmodified, against a real redis-server this class installs (if needed), starts and stops. */
@Timeout(150)
class RedisPeerTest {
    static final int THREADS = 64;
    static final int OPS = 32;
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private static PeerRuns.Outcome runJedis(PeerMode mode, Duration bound, Object... maxWait) {
        Object[] args = maxWait.length == 0 ? new Object[] {redis.port(), THREADS, OPS}
                : new Object[] {redis.port(), THREADS, OPS, maxWait[0]};
        try (AgentJvm app = mode.app(JedisApp.class, args).start()) {
            ThreadPeak peak = ThreadPeak.start(app);
            Matcher r = app.awaitStdout("^RESULT ops=(\\d+) wrong=(\\d+) errors=(\\d+)$", bound);
            int peakThreads = peak.stop();
            int total = THREADS * OPS;
            assertEquals(total + " 0 0", r.group(1) + " " + r.group(2) + " " + r.group(3),
                    "ops ok / wrong / errors" + app.describeState());
            assertEquals(1, app.stdoutMatching("^FINAL counter=" + total + " listsRight=true right=true$").size(),
                    "counter and lists" + app.describeState());
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code" + app.describeState());
            return new PeerRuns.Outcome(peakThreads, total + "/" + total + " SET/GET verified, INCR counter "
                    + total + ", " + THREADS + " lists in order; exit 0", app);
        }
    }

    @Test
    @DisplayName("Jedis + JedisPool (16 connections, maxWait 30 s, 64 threads): every value, counter and list"
            + " right, clean exit, in all four modes")
    void jedisPool() {
        PeerRuns.inEveryMode("jedis-pool", true, mode -> runJedis(mode, Duration.ofSeconds(90), 30_000));
    }

    // fidelity-pending, and NOT one of the four bugs being fixed: with the pool's default unbounded maxWait,
    // commons-pool2 2.13's GenericObjectPool.create() busy-waits (synchronized in a loop, no wait()) while
    // another thread makes a connection; coroutines are not preempted, so the spinners starve the maker
    // and the app never finishes under the agent (platform threads are time-sliced and finish in ~1 s;
    // JDK virtual threads hang too with one carrier, but finish with two because they migrate between
    // carriers, where a coio coroutine stays on its carrier behind the spinner).
    @Tag("fidelity-pending")
    @Test
    @DisplayName("Jedis + JedisPool with the library's default config (unbounded maxWait): the same promises")
    void jedisPoolDefaultConfig() {
        PeerRuns.inEveryMode("jedis-pool-defaults", true, mode -> runJedis(mode, Duration.ofSeconds(20)));
    }
}
