package example.apps;

/**
 * Prints {@code hello <args>}, starts one thread that prints {@code worker virtual=<b>}, prints the
 * {@code coio.mode}/{@code coio.carriers} system properties and the CPU count, and exits with
 * code 3 (so a test can tell the app's own exit code from a JVM failure). No coio imports.
 */
public final class HelloApp {
    public static void main(String[] args) throws InterruptedException {
        System.out.println("hello " + String.join(" ", args));
        Thread t = new Thread(() -> System.out.println("worker virtual=" + JvmThread.current().isVirtual()));
        t.start();
        t.join();
        System.out.println("coio.mode=" + System.getProperty("coio.mode") + " coio.carriers="
                + System.getProperty("coio.carriers") + " cpus=" + Runtime.getRuntime().availableProcessors());
        System.exit(3);
    }
}
