package io.coio.examples.libco;

import java.util.Arrays;

/**
 * {@code ./coio run <example> <libco's arguments>}: libco's example programs by their libco names.
 */
public final class Libco {
    private static final String USAGE = """
            usage: ./coio run <example> [libco's arguments]
              example_echosvr   IP PORT TASK_COUNT PROCESS_COUNT [-d]
              example_echocli   IP PORT TASK_COUNT PROCESS_COUNT
              example_cond
              example_poll      IP PORT [IP PORT ...]
              example_specific
              example_thread    THREAD_COUNT
              example_generator [N]      (a resume/yield pipeline; not in libco)""";

    private Libco() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println(USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "example_echosvr" -> ExampleEchoSvr.main(rest);
            case "example_echocli" -> ExampleEchoCli.main(rest);
            case "example_cond" -> ExampleCond.main(rest);
            case "example_poll" -> ExamplePoll.main(rest);
            case "example_specific" -> ExampleSpecific.main(rest);
            case "example_thread" -> ExampleThread.main(rest);
            case "example_generator" -> ExampleGenerator.main(rest);
            default -> {
                System.err.println("unknown example '" + args[0] + "'");
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }
}
