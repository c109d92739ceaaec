package io.coio.agent.internal.detect;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event of one reported blocking call: the same data as the stderr report. JFR's own stack trace is
 * off (it would start inside coio); {@link #stack} holds the frames from the blocking JDK method down, as the
 * report prints them. Enable it with {@code -XX:StartFlightRecording} (it is on in the default settings) or
 * {@code recording.enable("coio.BlockingCall")}.
 *
 * <p>Not API: public only because JFR instruments event classes it can see.
 */
@Name("coio.BlockingCall")
@Label("Blocking Call")
@Category("coio")
@Description("A blocking call on a thread that must not block (coio detect mode), or a coroutine that pinned its carrier")
@StackTrace(false)
public final class BlockingCallEvent extends jdk.jfr.Event {
    @Label("Method")
    @Description("The blocking JDK method, named as the public API the code called")
    String method;

    @Label("Thread")
    String thread;

    @Label("Call Site")
    @Description("The first frame of app code that led to the call")
    String callSite;

    @Label("Stack")
    String stack;

    @Label("First At Call Site")
    @Description("False for later calls at a call site already reported (they are only counted on stderr)")
    boolean first;

    @Label("Pinned")
    @Description("A coroutine that could not unmount and blocked its carrier (coroutine mode)")
    boolean pinned;
}
