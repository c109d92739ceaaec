package io.coio.agent.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentOptionsTest {

    @Test
    void defaultsWhenNoOptions() throws Exception {
        for (String none : new String[] {null, "", "  "}) {
            AgentOptions o = AgentOptions.parse(none, 7);
            assertEquals(AgentOptions.Mode.COROUTINE, o.mode());
            assertEquals(7, o.carriers());
            assertNull(o.include());
            assertNull(o.exclude());
            assertFalse(o.stats());
            assertFalse(o.quiet());
        }
    }

    @Test
    void parsesEveryOption() throws Exception {
        AgentOptions o = AgentOptions.parse("carriers=3, mode=off,include=app-.*,exclude=worker-[0-9]+,stats=true,quiet=TRUE", 1);
        assertEquals(3, o.carriers());
        assertEquals(AgentOptions.Mode.OFF, o.mode());
        assertTrue(o.include().matcher("app-1").matches());
        assertTrue(o.exclude().matcher("worker-12").matches());
        assertFalse(o.exclude().matcher("worker-x").matches());
        assertTrue(o.stats());
        assertTrue(o.quiet());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "carriers=0        | 'carriers=0': carriers must be a whole number from 1 to 1024",
            "carriers=abc      | 'carriers=abc': carriers must be a whole number",
            "carriers=         | 'carriers=': carriers must be",
            "mode=fast         | 'mode=fast': unknown mode 'fast'. Fix: use mode=coroutine, mode=detect or mode=off.",
            "bogus=1           | 'bogus=1': unknown option 'bogus'",
            "carriers          | 'carriers': expected key=value",
            "stats=yes         | 'stats=yes': expected true or false",
            "exclude=(         | 'exclude=(': invalid regular expression",
            "include=          | 'include=': empty regular expression",
    })
    void badOptionNamesTokenProblemAndFix(String args, String expected) {
        AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class, () -> AgentOptions.parse(args, 2));
        assertTrue(e.getMessage().startsWith("bad agent option "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), () -> e.getMessage() + " should contain " + expected);
        assertTrue(e.getMessage().contains("Fix: "), e.getMessage());
    }

    @Test
    void duplicateOptionIsRejected() {
        AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class,
                () -> AgentOptions.parse("carriers=1,carriers=2", 2));
        assertTrue(e.getMessage().contains("'carriers' is given twice"), e.getMessage());
    }

    // ---- carrier hand-offs (issue 7) ----

    @Test
    void handOffOptionsHaveDefaultsAndParse() throws Exception {
        AgentOptions d = AgentOptions.parse("", 2);
        assertEquals(2, d.spares());
        assertEquals(java.time.Duration.ofMillis(100), d.blocked());
        assertEquals(java.time.Duration.ofMillis(1000), d.longRun());
        AgentOptions o = AgentOptions.parse("spares=0,blockedms=0,longrunms=250", 2);
        assertEquals(0, o.spares());
        assertEquals(java.time.Duration.ZERO, o.blocked());
        assertEquals(java.time.Duration.ofMillis(250), o.longRun());
    }

    @Test
    void fairnessOptionsHaveDefaultsAndParse() throws Exception {
        AgentOptions d = AgentOptions.parse("", 2);
        assertEquals(java.time.Duration.ofMillis(20), d.slice());
        assertTrue(d.steal());
        AgentOptions o = AgentOptions.parse("slicems=0,steal=false", 2);
        assertEquals(java.time.Duration.ZERO, o.slice());
        assertFalse(o.steal());
    }

    @Test
    void hookNamesLibrariesSeparatedBySemicolons() throws Exception {
        assertEquals(java.util.List.of(), AgentOptions.parse("", 2).hookLibraries());
        assertEquals(java.util.List.of("libpq.so.5", "/opt/lib/libfoo.so.1"),
                AgentOptions.parse("carriers=1,hook=libpq.so.5;/opt/lib/libfoo.so.1", 2).hookLibraries());
        AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class,
                () -> AgentOptions.parse("hook=libpq.so.5;", 2));
        assertTrue(e.getMessage().contains("'hook=libpq.so.5;': an empty library name"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "spares=-1         | 'spares=-1': spares must be a whole number from 0 to 256. Fix: e.g. spares=2.",
            "spares=many       | 'spares=many': spares must be a whole number from 0 to 256",
            "blockedms=60001   | 'blockedms=60001': blockedms must be a whole number of milliseconds from 0 (off) to 60000. Fix: e.g. blockedms=100.",
            "blockedms=1.5     | 'blockedms=1.5': blockedms must be a whole number of milliseconds",
            "longrunms=-5      | 'longrunms=-5': longrunms must be a whole number of milliseconds from 0 (off) to 600000. Fix: e.g. longrunms=1000.",
            "longrunms=        | 'longrunms=': longrunms must be",
            "slicems=-1        | 'slicems=-1': slicems must be a whole number of milliseconds from 0 (busy runs wait for blockedms) to 60000. Fix: e.g. slicems=20.",
            "steal=maybe       | 'steal=maybe': expected true or false. Fix: e.g. steal=true.",
    })
    void badHandOffOptionNamesTokenProblemAndFix(String args, String expected) {
        AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class, () -> AgentOptions.parse(args, 2));
        assertTrue(e.getMessage().contains(expected), () -> e.getMessage() + " should contain " + expected);
    }

    // ---- detect mode (issue 4) ----

    @Test
    void detectOptionsDefaultToReportAndPinned() throws Exception {
        AgentOptions o = AgentOptions.parse("", 2);
        assertNull(o.nonBlocking());
        assertEquals(java.util.List.of(), o.allow());
        assertEquals(AgentOptions.OnBlock.REPORT, o.onBlock());
        assertEquals(AgentOptions.Report.PINNED, o.report());
    }

    @Test
    void parsesDetectOptions() throws Exception {
        AgentOptions o = AgentOptions.parse(
                "mode=detect, nonblocking=evloop-.*|nio-[0-9]+ ,allow=com.example.Cache#load; com.example.Outer$Inner#* ;"
                        + "com.example.Init#<clinit>,onblock=THROW", 2);
        assertEquals(AgentOptions.Mode.DETECT, o.mode());
        assertTrue(o.nonBlocking().matcher("evloop-1").matches());
        assertTrue(o.nonBlocking().matcher("nio-12").matches());
        assertFalse(o.nonBlocking().matcher("worker-1").matches());
        assertEquals(java.util.List.of("com.example.Cache#load", "com.example.Outer$Inner#*", "com.example.Init#<clinit>"),
                o.allow());
        assertEquals(AgentOptions.OnBlock.THROW, o.onBlock());
    }

    @Test
    void coroutineModeReportOption() throws Exception {
        assertEquals(AgentOptions.Report.ALL, AgentOptions.parse("report=all", 2).report());
        assertEquals(AgentOptions.Report.NONE, AgentOptions.parse("report=None", 2).report());
        assertEquals(AgentOptions.Report.PINNED, AgentOptions.parse("report=pinned,allow=a.B#c", 2).report());
    }

    @Test
    void coroutineOnlyOptionsAreIgnoredInDetectModeAndEverythingInOffMode() throws Exception {
        AgentOptions d = AgentOptions.parse("mode=detect,carriers=3,include=x,exclude=y,stats=true,report=none", 2);
        assertEquals(AgentOptions.Mode.DETECT, d.mode());
        AgentOptions off = AgentOptions.parse("mode=off,nonblocking=evloop-.*,onblock=throw", 2);
        assertEquals(AgentOptions.Mode.OFF, off.mode());
    }

    @Test
    void detectOnlyOptionsAreRejectedInCoroutineMode() {
        for (String args : new String[] {"nonblocking=evloop-.*", "carriers=2,onblock=throw", "mode=coroutine,onblock=report"}) {
            AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class, () -> AgentOptions.parse(args, 2));
            assertTrue(e.getMessage().contains("only works with mode=detect"), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: add mode=detect, or drop "), e.getMessage());
        }
        AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class,
                () -> AgentOptions.parse("carriers=2, nonblocking=x", 2));
        assertTrue(e.getMessage().startsWith("bad agent option ' nonblocking=x': "), e.getMessage());
    }

    @Test
    void badDetectOptionsNameTokenProblemAndFix() {
        String[][] cases = {
                {"mode=detect,onblock=maybe", "'onblock=maybe': unknown onblock 'maybe'. Fix: use onblock=report or onblock=throw."},
                {"report=some", "'report=some': unknown report 'some'. Fix: use report=pinned, report=all or report=none."},
                {"mode=detect,nonblocking=(", "'nonblocking=(': invalid regular expression"},
                {"mode=detect,nonblocking=", "'nonblocking=': empty regular expression"},
                {"allow=Foo", "'allow=Foo': 'Foo' is not class#method. Fix: write allow=com.example.Cache#load;"},
                {"allow=a.B#", "'a.B#' is not class#method"},
                {"allow=a..B#c", "'a..B#c' is not class#method"},
                {"allow=a.B#c#d", "'a.B#c#d' is not class#method"},
                {"allow=a.B#c;x/y.Z#m", "'x/y.Z#m' is not class#method"},
                {"allow=;", "'allow=;': empty allow list"},
        };
        for (String[] c : cases) {
            AgentOptions.BadOption e = assertThrows(AgentOptions.BadOption.class, () -> AgentOptions.parse(c[0], 2), c[0]);
            assertTrue(e.getMessage().startsWith("bad agent option "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), () -> e.getMessage() + " should contain " + c[1]);
            assertTrue(e.getMessage().contains("Fix: "), e.getMessage());
        }
    }

    @Test
    void allowEntrySyntax() {
        for (String ok : new String[] {"a.B#c", "B#c", "a.b.Outer$Inner#run", "a.B#*", "a.B#<init>", "a.B#<clinit>", "a.B#lambda$x$0"}) {
            assertTrue(AgentOptions.isAllowEntry(ok), ok);
        }
        for (String bad : new String[] {"", "#c", "a.B", "a.B#", "a.B#c d", "a.B#1x", "a..B#c", ".a.B#c", "a.B#<foo>"}) {
            assertFalse(AgentOptions.isAllowEntry(bad), bad);
        }
    }

    @Test
    void handOffDefaultsAreTheRuntimes() {
        assertEquals(new AgentOptions.HandOff(io.coio.runtime.CoioRuntime.DEFAULT_SPARES,
                io.coio.runtime.CoioRuntime.DEFAULT_HAND_OFF_AFTER, io.coio.runtime.CoioRuntime.DEFAULT_LONG_RUN_AFTER,
                io.coio.runtime.CoioRuntime.DEFAULT_BUSY_SLICE, io.coio.runtime.CoioRuntime.DEFAULT_STEALING),
                AgentOptions.HandOff.DEFAULT);
    }
}
