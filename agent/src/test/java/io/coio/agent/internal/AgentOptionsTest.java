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
            "mode=fast         | 'mode=fast': unknown mode 'fast'. Fix: use mode=coroutine or mode=off.",
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
}
