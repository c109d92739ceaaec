package example.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Jedis with a {@code JedisPool} (16 connections) against a real redis-server, from many app threads. Args:
 * {@code <port> <threads> <opsPerThread> [maxWaitMillis]} (without the last: the pool's default, no bound). Each op of worker w, round i: {@code SET k:w:i}, {@code GET}
 * it back, {@code INCR} a shared counter, {@code RPUSH} i to the worker's list; at the end every list must
 * be 0..n-1 in order and the counter threads×ops. Prints {@code RESULT ops=<ok> wrong=<n> errors=<n>}.
 */
public final class JedisApp {
    private static final AtomicLong ok = new AtomicLong();
    private static final AtomicLong wrong = new AtomicLong();
    private static final AtomicLong errors = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        int ops = Integer.parseInt(args[2]);
        String run = "run" + ProcessHandle.current().pid();
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(16);
        if (args.length > 3) { // else the library's default: wait for a free connection without a bound
            config.setMaxWait(java.time.Duration.ofMillis(Long.parseLong(args[3])));
        }
        try (JedisPool pool = new JedisPool(config, "127.0.0.1", port)) {
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                Thread t = new Thread(() -> work(pool, run, worker, ops), "cache-worker-" + w);
                workers.add(t);
                t.start();
            }
            for (Thread t : workers) {
                t.join();
            }
            try (Jedis j = pool.getResource()) {
                boolean listsRight = true;
                for (int w = 0; w < threads; w++) {
                    List<String> list = j.lrange(run + ":list:" + w, 0, -1);
                    for (int i = 0; i < ops; i++) {
                        listsRight &= list.size() == ops && list.get(i).equals(Integer.toString(i));
                    }
                }
                String counter = j.get(run + ":counter");
                System.out.println("FINAL counter=" + counter + " listsRight=" + listsRight
                        + " right=" + (listsRight && Long.parseLong(counter) == (long) threads * ops));
            }
        }
        System.out.println("RESULT ops=" + ok + " wrong=" + wrong + " errors=" + errors);
    }

    private static void work(JedisPool pool, String run, int worker, int ops) {
        for (int i = 0; i < ops; i++) {
            String key = run + ":k:" + worker + ":" + i;
            String value = "value-" + worker + "-" + i + "-" + "x".repeat(i % 50);
            try (Jedis j = pool.getResource()) {
                j.set(key, value);
                String back = j.get(key);
                j.incr(run + ":counter");
                j.rpush(run + ":list:" + worker, Integer.toString(i));
                if (value.equals(back)) {
                    ok.incrementAndGet();
                } else {
                    wrong.incrementAndGet();
                }
            } catch (RuntimeException e) {
                if (errors.incrementAndGet() <= 5) {
                    System.out.println("OP-FAILED worker " + worker + ": " + e);
                }
            }
        }
    }
}
