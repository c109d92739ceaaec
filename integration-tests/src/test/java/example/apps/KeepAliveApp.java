package example.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * main starts one ordinary (non-daemon) thread and returns. The thread waits until main has returned,
 * then connects to 127.0.0.1:&lt;port&gt; (the test), reads one line and prints
 * {@code worker after main returned: <line> virtual=<b>}. The JVM must stay alive for it. No coio imports.
 */
public final class KeepAliveApp {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Thread main = Thread.currentThread();
        Thread worker = new Thread(() -> {
            try {
                main.join(); // returns once main() has returned
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(30_000);
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                    System.out.println("worker after main returned: " + line + " virtual="
                            + JvmThread.current().isVirtual());
                }
            } catch (InterruptedException | IOException e) {
                System.out.println("worker error: " + e);
            }
        }, "keep-alive-worker");
        worker.start();
        System.out.println("main returning, worker daemon=" + worker.isDaemon());
    }
}
