package io.coio.examples;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The few command-line arguments the example servers share: {@code [port] [more positionals]
 * [--bind ADDR] [--flag] [--option VALUE]}. Port 0 asks the OS for a free port; servers print the
 * one they got as {@code listening on <port>}. Bad arguments print the usage line and exit 2.
 */
final class ServerArgs {
    private final List<String> positionals = new ArrayList<>();
    private final Set<String> flags = new HashSet<>();
    private final Map<String, String> options = new HashMap<>();
    private final String usage;

    private ServerArgs(String usage) {
        this.usage = usage;
    }

    /**
     * @param usage        the line printed on a bad argument, e.g. {@code "EchoServer [port] [--virtual]"}
     * @param knownFlags   options without a value
     * @param valueOptions options followed by a value; {@code --bind} is always accepted
     */
    static ServerArgs parse(String usage, String[] args, List<String> knownFlags, List<String> valueOptions) {
        ServerArgs parsed = new ServerArgs(usage);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println("usage: " + usage);
                System.exit(0);
            } else if (arg.equals("--bind") || valueOptions.contains(arg)) {
                if (i + 1 == args.length) {
                    fail(usage, arg + " needs a value");
                }
                parsed.options.put(arg, args[++i]);
            } else if (knownFlags.contains(arg)) {
                parsed.flags.add(arg);
            } else if (arg.startsWith("-")) {
                fail(usage, "unknown option " + arg);
            } else {
                parsed.positionals.add(arg);
            }
        }
        return parsed;
    }

    static ServerArgs parse(String usage, String[] args, String... knownFlags) {
        return parse(usage, args, List.of(knownFlags), List.of());
    }

    int port() {
        return positionalInt(0, 0);
    }

    int positionalInt(int index, int defaultValue) {
        if (index >= positionals.size()) {
            return defaultValue;
        }
        return toInt(positionals.get(index));
    }

    int intOption(String name, int defaultValue) {
        String value = options.get(name);
        return value == null ? defaultValue : toInt(value);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    /** Loopback unless {@code --bind} says otherwise: an example server should not face the network by accident. */
    InetAddress bind() {
        String address = options.get("--bind");
        try {
            return address == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            fail(usage, "cannot resolve --bind " + address);
            return null; // unreachable: fail() exits
        }
    }

    private int toInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            fail(usage, "not a number: " + value);
            return 0; // unreachable: fail() exits
        }
    }

    private static void fail(String usage, String problem) {
        System.err.println(problem);
        System.err.println("usage: " + usage);
        System.exit(2);
    }
}
