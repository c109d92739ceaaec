package example.apps;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Prints what an app could notice of an agent: coio's threads, coio's system properties, whether a started thread
 * is a virtual thread, and whether a socket round trip between two threads works. No coio imports.
 */
public final class FailedInstallApp {
    public static void main(String[] args) throws Exception {
        TreeSet<String> coioThreads = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("coio")) {
                coioThreads.add(t.getName());
            }
        }
        System.out.println("coio threads: " + coioThreads);
        TreeSet<String> props = new TreeSet<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("coio.") && !k.startsWith("coio.test.")) {
                props.add(k);
            }
        }
        System.out.println("coio properties: " + props);
        AtomicReference<String> seen = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread client = new Thread(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                     PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                    out.println("ping");
                    seen.set("virtual=" + Thread.currentThread().isVirtual() + " answer=" + in.readLine());
                } catch (Exception e) {
                    seen.set("error " + e);
                }
            }, "client");
            client.start();
            try (Socket s = server.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                out.println("pong " + in.readLine());
            }
            client.join();
        }
        System.out.println("client thread: " + seen.get());
    }
}
