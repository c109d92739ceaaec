package example.apps;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Child processes driven the common way: plain threads start {@code /bin/cat} and {@code sh}, other threads pump
 * their stdin, stdout and stderr. Args: {@code <processes>}. Rounds: that many {@code cat} processes at once, each
 * fed 200 KB by one thread while its starter reads it back and a third thread drains stderr; {@code sh} with output,
 * error output and exit code; {@code waitFor(300 ms)} on a {@code sleep 5} (false, not early), {@code destroy} and
 * {@code onExit}; {@code destroyForcibly} of a {@code cat} while another thread is blocked reading it (EOF);
 * redirection to a file; {@code ProcessHandle.onExit}; 16 {@code sh} round trips on a pool of 8 with their stderr
 * drained on a cached pool. Prints what it saw (the same in every JVM).
 */
public final class ProcessPumpApp {
    public static void main(String[] args) throws Exception {
        int processes = Integer.parseInt(args[0]);
        List<String> cats = Collections.synchronizedList(new ArrayList<>());
        List<Thread> starters = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    cats.add(catRound(id));
                } catch (Exception e) {
                    cats.add("cat " + id + " failed: " + e);
                }
            }, "cat-" + i);
            t.start();
            starters.add(t);
        }
        for (Thread t : starters) {
            t.join();
        }
        Collections.sort(cats);
        cats.forEach(System.out::println);
        Thread other = new Thread(() -> {
            try {
                others();
            } catch (Exception e) {
                System.out.println("failed: " + e);
            }
        }, "process-checks");
        other.start();
        other.join();
        System.out.println("done");
    }

    private static String catRound(int id) throws Exception {
        Process p = new ProcessBuilder("/bin/cat").start();
        byte[] data = new byte[200_000 + id];
        new Random(id).nextBytes(data);
        Thread feeder = new Thread(() -> {
            try (OutputStream o = p.getOutputStream()) {
                for (int off = 0; off < data.length; off += 7000) {
                    o.write(data, off, Math.min(7000, data.length - off));
                }
            } catch (IOException e) {
                System.out.println("feed failed: " + e);
            }
        });
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                System.out.println("drain failed: " + e);
            }
        });
        feeder.start();
        drain.start();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = p.getInputStream();
        byte[] buf = new byte[4096];
        for (int r; (r = in.read(buf)) > 0; ) {
            got.write(buf, 0, r);
        }
        feeder.join();
        drain.join();
        return String.format("cat %02d same=%s exit=%d", id, Arrays.equals(data, got.toByteArray()), p.waitFor());
    }

    private static void others() throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", "echo out; echo err 1>&2; exit 7").start();
        String out = new String(sh.getInputStream().readAllBytes()).trim();
        String err = new String(sh.getErrorStream().readAllBytes()).trim();
        System.out.println("sh out=" + out + " err=" + err + " exit=" + sh.waitFor());

        Process sleeper = new ProcessBuilder("sleep", "5").start();
        long t0 = System.nanoTime();
        boolean ended = sleeper.waitFor(300, TimeUnit.MILLISECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("waitFor(300 ms) on sleep 5: " + ended + " early=" + (ms < 299));
        CompletableFuture<Process> exit = sleeper.onExit();
        sleeper.destroy();
        Process gone = exit.get(30, TimeUnit.SECONDS);
        System.out.println("onExit after destroy: alive=" + gone.isAlive() + " exit=" + gone.exitValue());

        Process cat = new ProcessBuilder("cat").start();
        BlockingQueue<String> read = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                read.add("read " + cat.getInputStream().read());
            } catch (IOException e) {
                read.add("read failed " + e.getClass().getSimpleName());
            }
        });
        reader.start();
        while (reader.getState() == Thread.State.NEW || reader.getState() == Thread.State.RUNNABLE && !inRead(reader)) {
            Thread.sleep(5); // until the reader is inside the pipe read (bounded by the reader's own progress)
        }
        cat.destroyForcibly();
        System.out.println("cat destroyForcibly: waitFor=" + cat.waitFor() + " reader got " + read.poll(30, TimeUnit.SECONDS));
        reader.join();

        File f = File.createTempFile("process-pump", ".txt");
        Process w = new ProcessBuilder("sh", "-c", "printf 'abc\\n'; printf 'def\\n' 1>&2").redirectErrorStream(true)
                .redirectOutput(f).start();
        System.out.println("redirect exit=" + w.waitFor() + " file=" + new String(Files.readAllBytes(f.toPath())).replace("\n", "|"));
        f.delete();

        Process z = new ProcessBuilder("sh", "-c", "sleep 0.2; exit 3").start();
        ProcessHandle h = z.toHandle().onExit().get(30, TimeUnit.SECONDS);
        System.out.println("handle onExit alive=" + h.isAlive() + " exit=" + z.waitFor());

        ExecutorService pool = Executors.newFixedThreadPool(8);
        ExecutorService drains = Executors.newCachedThreadPool();
        List<Future<String>> rounds = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int id = i;
            rounds.add(pool.submit(() -> {
                Process p = new ProcessBuilder("sh", "-c", "read x; echo got $x; echo e$x >&2; exit $((x % 5))").start();
                Future<String> e = drains.submit(() -> new String(p.getErrorStream().readAllBytes()).trim());
                try (Writer in = new OutputStreamWriter(p.getOutputStream())) {
                    in.write(id + "\n");
                }
                String o = new String(p.getInputStream().readAllBytes()).trim();
                boolean done = p.waitFor(30, TimeUnit.SECONDS);
                return id + ":" + o + ":" + e.get(30, TimeUnit.SECONDS) + ":" + done + ":" + p.exitValue();
            }));
        }
        for (Future<String> r : rounds) {
            System.out.println("pool " + r.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        drains.shutdown();
    }

    private static boolean inRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().startsWith("read")) {
                return true;
            }
        }
        return false;
    }
}
