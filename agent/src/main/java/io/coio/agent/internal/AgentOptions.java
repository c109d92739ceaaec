package io.coio.agent.internal;


import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The agent's options: {@code -javaagent:coio-agent.jar=key=value,key=value}.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><td>{@code carriers=N}</td><td>carrier threads (N &ge; 1); default: available processors</td></tr>
 *   <tr><td>{@code mode=coroutine|detect|off}</td><td>{@code detect}: convert nothing, report every blocking call
 *       made on a non-blocking thread; {@code off} loads the agent and changes nothing</td></tr>
 *   <tr><td>{@code include=REGEX}</td><td>only app threads whose name matches become coroutines</td></tr>
 *   <tr><td>{@code exclude=REGEX}</td><td>app threads whose name or class name matches stay platform threads</td></tr>
 *   <tr><td>{@code stats=true|false}</td><td>print each carrier's counters at exit</td></tr>
 *   <tr><td>{@code quiet=true|false}</td><td>no start-up line</td></tr>
 *   <tr><td>{@code nonblocking=REGEX}</td><td>detect mode: threads whose name matches must not block</td></tr>
 *   <tr><td>{@code allow=CLASS#METHOD;...}</td><td>blocking calls made inside these methods (any frame on the
 *       stack) are not reported; {@code METHOD} may be {@code *}; entries are separated by {@code ;}</td></tr>
 *   <tr><td>{@code onblock=report|throw}</td><td>detect mode: print a report (default) or throw
 *       {@code io.coio.agent.detect.BlockingCallError} at the call</td></tr>
 *   <tr><td>{@code spares=N}</td><td>spare loop threads kept for carrier hand-offs (0&ndash;256, default 2)</td></tr>
 *   <tr><td>{@code blockedms=N}</td><td>the carrier watchdog hands off a loop whose thread has been blocked this
 *       many ms inside one coroutine run (0 = off, default 100)</td></tr>
 *   <tr><td>{@code slicems=N}</td><td>the watchdog moves a coroutine busy on the CPU this many ms in one run to
 *       an OS thread of its own (0 = after {@code blockedms}, default 20)</td></tr>
 *   <tr><td>{@code steal=true|false}</td><td>an idle carrier takes ready coroutines from a carrier that fell behind
 *       (default true)</td></tr>
 *   <tr><td>{@code longrunms=N}</td><td>the watchdog reports a coroutine run longer than this many ms without
 *       yielding (0 = off, default 1000)</td></tr>
 *   <tr><td>{@code report=pinned|all|none}</td><td>coroutine mode: what is reported: coroutines that pin their
 *       carrier (default), also file I/O and DNS lookups made on coroutines, or nothing</td></tr>
 * </table>
 *
 * A regex cannot contain a comma (the separator); use a character class such as {@code [,]} instead.
 * Options that only matter in coroutine mode ({@code carriers, include, exclude, stats, report}) are ignored in
 * detect mode; the detect-only options ({@code nonblocking, onblock}) are rejected in coroutine mode, since there
 * they would silently do nothing. In {@code mode=off} every valid option is accepted and ignored.
 */
record AgentOptions(Mode mode, int carriers, Pattern include, Pattern exclude, boolean stats, boolean quiet,
                    Pattern nonBlocking, List<String> allow, OnBlock onBlock, Report report, HandOff handOff,
                    List<String> hookLibraries) {

    /**
     * Coroutine mode: carrier hand-offs and fairness ({@code spares}, {@code blockedms}, {@code longrunms},
     * {@code slicems}, {@code steal}). The defaults are
     * the runtime's ({@code CoioRuntime.DEFAULT_*}, checked by AgentOptionsTest), written here because this class
     * is compiled for Java 17 (detect mode parses options too) and must not load the runtime.
     */
    record HandOff(int spares, Duration blocked, Duration longRun, Duration slice, boolean steal) {
        static final HandOff DEFAULT = new HandOff(2, Duration.ofMillis(100), Duration.ofMillis(1000),
                Duration.ofMillis(20), true);
    }

    int spares() {
        return handOff.spares();
    }

    Duration blocked() {
        return handOff.blocked();
    }

    Duration longRun() {
        return handOff.longRun();
    }

    Duration slice() {
        return handOff.slice();
    }

    boolean steal() {
        return handOff.steal();
    }

    enum Mode { COROUTINE, DETECT, OFF }

    /** Detect mode: what happens at a blocking call on a non-blocking thread. */
    enum OnBlock { REPORT, THROW }

    /** Coroutine mode: which blocking calls of coroutines are reported. */
    enum Report { PINNED, ALL, NONE }

    /** A bad option: the message names the token, the problem and the fix. */
    static final class BadOption extends Exception {
        BadOption(String token, String problem, String fix) {
            super("bad agent option '" + token + "': " + problem + ". Fix: " + fix + ".");
        }
    }

    static AgentOptions parse(String args, int defaultCarriers) throws BadOption {
        Mode mode = Mode.COROUTINE;
        int carriers = defaultCarriers;
        Pattern include = null;
        Pattern exclude = null;
        boolean stats = false;
        boolean quiet = false;
        Pattern nonBlocking = null;
        List<String> allow = List.of();
        OnBlock onBlock = OnBlock.REPORT;
        Report report = Report.PINNED;
        int spares = HandOff.DEFAULT.spares();
        Duration blocked = HandOff.DEFAULT.blocked();
        Duration longRun = HandOff.DEFAULT.longRun();
        Duration slice = HandOff.DEFAULT.slice();
        boolean steal = HandOff.DEFAULT.steal();
        List<String> hookLibraries = List.of();
        Set<String> seen = new LinkedHashSet<>();
        if (args == null || args.isBlank()) {
            return new AgentOptions(mode, carriers, null, null, false, false, null, allow, onBlock, report, HandOff.DEFAULT,
                    List.of());
        }
        for (String token : args.split(",", -1)) {
            String t = token.strip();
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new BadOption(token, "expected key=value", "write options as carriers=2,mode=coroutine");
            }
            String key = t.substring(0, eq).strip();
            String value = t.substring(eq + 1).strip();
            if (!seen.add(key)) {
                throw new BadOption(token, "'" + key + "' is given twice", "give each option once");
            }
            switch (key) {
                case "carriers" -> carriers = positiveInt(token, value);
                case "mode" -> mode = switch (value.toLowerCase(Locale.ROOT)) {
                    case "coroutine" -> Mode.COROUTINE;
                    case "detect" -> Mode.DETECT;
                    case "off" -> Mode.OFF;
                    default -> throw new BadOption(token, "unknown mode '" + value + "'",
                            "use mode=coroutine, mode=detect or mode=off");
                };
                case "include" -> include = regex(token, value);
                case "exclude" -> exclude = regex(token, value);
                case "stats" -> stats = bool(token, value);
                case "quiet" -> quiet = bool(token, value);
                case "nonblocking" -> nonBlocking = regex(token, value);
                case "allow" -> allow = allowList(token, value);
                case "onblock" -> onBlock = switch (value.toLowerCase(Locale.ROOT)) {
                    case "report" -> OnBlock.REPORT;
                    case "throw" -> OnBlock.THROW;
                    default -> throw new BadOption(token, "unknown onblock '" + value + "'",
                            "use onblock=report or onblock=throw");
                };
                case "report" -> report = switch (value.toLowerCase(Locale.ROOT)) {
                    case "pinned" -> Report.PINNED;
                    case "all" -> Report.ALL;
                    case "none" -> Report.NONE;
                    default -> throw new BadOption(token, "unknown report '" + value + "'",
                            "use report=pinned, report=all or report=none");
                };
                case "spares" -> spares = wholeNumber(token, value, 0, 256, "spares must be a whole number from 0 to 256",
                        "e.g. spares=2");
                case "blockedms" -> blocked = Duration.ofMillis(wholeNumber(token, value, 0, 60_000,
                        "blockedms must be a whole number of milliseconds from 0 (off) to 60000", "e.g. blockedms=100"));
                case "longrunms" -> longRun = Duration.ofMillis(wholeNumber(token, value, 0, 600_000,
                        "longrunms must be a whole number of milliseconds from 0 (off) to 600000", "e.g. longrunms=1000"));
                case "slicems" -> slice = Duration.ofMillis(wholeNumber(token, value, 0, 60_000,
                        "slicems must be a whole number of milliseconds from 0 (busy runs wait for blockedms) to 60000",
                        "e.g. slicems=20"));
                case "steal" -> steal = bool(token, value);
                case "hook" -> hookLibraries = libraries(token, value);
                default -> throw new BadOption(token, "unknown option '" + key + "'",
                        "use carriers, mode, include, exclude, stats, quiet, nonblocking, allow, onblock, report,"
                                + " spares, blockedms, slicems, steal, longrunms or hook");
            }
        }
        if (mode == Mode.COROUTINE) {
            for (String detectOnly : new String[] {"nonblocking", "onblock"}) {
                if (seen.contains(detectOnly)) {
                    throw new BadOption(tokenOf(args, detectOnly), "'" + detectOnly + "' only works with mode=detect"
                            + " (coroutine mode treats coio's coroutines as the non-blocking threads)",
                            "add mode=detect, or drop " + detectOnly + "=");
                }
            }
        }
        return new AgentOptions(mode, carriers, include, exclude, stats, quiet, nonBlocking, allow, onBlock, report,
                new HandOff(spares, blocked, longRun, slice, steal), hookLibraries);
    }

    /** {@code hook=libpq.so.5;libhiredis.so.1.1.0}: file names (or paths) of native libraries, ';'-separated. */
    private static List<String> libraries(String token, String value) throws BadOption {
        List<String> names = new java.util.ArrayList<>();
        for (String n : value.split(";", -1)) {
            String name = n.strip();
            if (name.isEmpty()) {
                throw new BadOption(token, "an empty library name", "name each library, e.g. hook=libpq.so.5;libfoo.so.1");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    private static int wholeNumber(String token, String value, int min, int max, String problem, String fix)
            throws BadOption {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new BadOption(token, problem, fix);
    }

    /** The token of {@code args} that sets {@code key}, for error messages. */
    private static String tokenOf(String args, String key) {
        for (String token : args.split(",", -1)) {
            int eq = token.indexOf('=');
            if (eq > 0 && token.substring(0, eq).strip().equals(key)) {
                return token;
            }
        }
        return key;
    }

    /**
     * {@code allow=com.example.Cache#load;com.example.Init#*}: entries separated by {@code ;} (a comma separates
     * agent options), each a binary class name ({@code Outer$Inner}), {@code #}, and a method name or {@code *}.
     */
    private static List<String> allowList(String token, String value) throws BadOption {
        List<String> entries = new ArrayList<>();
        for (String raw : value.split(";", -1)) {
            String e = raw.strip();
            if (e.isEmpty()) {
                continue;
            }
            if (!isAllowEntry(e)) {
                throw new BadOption(token, "'" + e + "' is not class#method",
                        "write allow=com.example.Cache#load;com.example.Init#* (';' between entries)");
            }
            entries.add(e);
        }
        if (entries.isEmpty()) {
            throw new BadOption(token, "empty allow list", "give entries such as allow=com.example.Cache#load");
        }
        return List.copyOf(entries);
    }

    /** {@code pkg.Class#method}, {@code pkg.Outer$Inner#<clinit>} or {@code pkg.Class#*}. */
    static boolean isAllowEntry(String e) {
        int hash = e.indexOf('#');
        if (hash <= 0 || hash != e.lastIndexOf('#') || hash == e.length() - 1) {
            return false;
        }
        String cls = e.substring(0, hash);
        String method = e.substring(hash + 1);
        for (String part : cls.split("\\.", -1)) {
            if (!isIdentifier(part)) {
                return false;
            }
        }
        return method.equals("*") || method.equals("<init>") || method.equals("<clinit>") || isIdentifier(method);
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.codePointAt(0))) {
            return false;
        }
        return s.codePoints().allMatch(Character::isJavaIdentifierPart);
    }

    private static int positiveInt(String token, String value) throws BadOption {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new BadOption(token, "carriers must be a whole number from 1 to 1024", "e.g. carriers=2");
    }

    private static boolean bool(String token, String value) throws BadOption {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadOption(token, "expected true or false", "e.g. " + token.split("=")[0] + "=true");
        };
    }

    private static Pattern regex(String token, String value) throws BadOption {
        if (value.isEmpty()) {
            throw new BadOption(token, "empty regular expression",
                    "give a pattern such as " + token.split("=")[0].strip() + "=worker-.*");
        }
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new BadOption(token, "invalid regular expression (" + e.getDescription() + ")",
                    "correct the pattern; a comma must be written as [,]");
        }
    }
}
