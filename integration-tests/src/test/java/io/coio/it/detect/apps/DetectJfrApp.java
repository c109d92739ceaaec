package io.coio.it.detect.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Records the {@code coio.BlockingCall} JFR event while thread {@code evloop-1} sleeps twice at one call site,
 * then prints one line per recorded event: {@code EVENT method=<m> thread=<t> first=<b> pinned=<b>
 * site=<call site> stackHasSleep=<b>}, then {@code FINISHED}. No coio imports.
 */
public final class DetectJfrApp {
    public static void main(String[] args) throws Exception {
        Path dump = Files.createTempFile("coio-detect", ".jfr");
        try (Recording r = new Recording()) {
            r.enable("coio.BlockingCall");
            r.start();
            Thread t = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    sleepOnce();
                }
            }, "evloop-1");
            t.start();
            t.join();
            r.stop();
            r.dump(dump);
        }
        for (RecordedEvent e : RecordingFile.readAllEvents(dump)) {
            if (e.getEventType().getName().equals("coio.BlockingCall")) {
                System.out.println("EVENT method=" + e.getString("method") + " thread=" + e.getString("thread")
                        + " first=" + e.getBoolean("first") + " pinned=" + e.getBoolean("pinned")
                        + " site=" + e.getString("callSite")
                        + " stackHasSleep=" + e.getString("stack").contains("at java.base/java.lang.Thread.sleep("));
            }
        }
        Files.delete(dump);
        System.out.println("FINISHED");
    }

    static void sleepOnce() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
