package io.coio.agent.internal;

import java.util.LinkedHashSet;
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
 *   <tr><td>{@code mode=coroutine|off}</td><td>{@code off} loads the agent and changes nothing</td></tr>
 *   <tr><td>{@code include=REGEX}</td><td>only app threads whose name matches become coroutines</td></tr>
 *   <tr><td>{@code exclude=REGEX}</td><td>app threads whose name or class name matches stay platform threads</td></tr>
 *   <tr><td>{@code stats=true|false}</td><td>print each carrier's counters at exit</td></tr>
 *   <tr><td>{@code quiet=true|false}</td><td>no start-up line</td></tr>
 * </table>
 *
 * A regex cannot contain a comma (the separator); use a character class such as {@code [,]} instead.
 */
record AgentOptions(Mode mode, int carriers, Pattern include, Pattern exclude, boolean stats, boolean quiet) {

    enum Mode { COROUTINE, OFF }

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
        Set<String> seen = new LinkedHashSet<>();
        if (args == null || args.isBlank()) {
            return new AgentOptions(mode, carriers, null, null, false, false);
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
                    case "off" -> Mode.OFF;
                    default -> throw new BadOption(token, "unknown mode '" + value + "'",
                            "use mode=coroutine or mode=off");
                };
                case "include" -> include = regex(token, value);
                case "exclude" -> exclude = regex(token, value);
                case "stats" -> stats = bool(token, value);
                case "quiet" -> quiet = bool(token, value);
                default -> throw new BadOption(token, "unknown option '" + key + "'",
                        "use carriers, mode, include, exclude, stats or quiet");
            }
        }
        return new AgentOptions(mode, carriers, include, exclude, stats, quiet);
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
            throw new BadOption(token, "empty regular expression", "give a pattern such as exclude=worker-.*");
        }
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new BadOption(token, "invalid regular expression (" + e.getDescription() + ")",
                    "correct the pattern; a comma must be written as [,]");
        }
    }
}
