package io.coio.examples;

import io.coio.examples.load.EchoLoad;

import java.util.Arrays;

/**
 * {@code java -jar coio-examples.jar <example> [args]}: picks an example by a short name so the
 * jar can be run without knowing class names. Each example also has its own {@code main}.
 */
public final class Main {

    private static final String USAGE = """
            usage: java -jar coio-examples.jar <example> [args]
              echo         [port] [--virtual]      thread-per-connection echo (java.net.Socket streams)
              channel-echo [port] [--pool N]       blocking SocketChannel echo on a fixed thread pool
              http         [port]                  blocking HTTP/1.1 keep-alive server
              netty-echo   [port] [threads]        Netty native-epoll async echo (the baseline)
              load         --port P [options]      echo load generator; 'load --help' lists options
            Servers print 'listening on <port>' once ready; port 0 (the default) picks a free port.""";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println(USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "echo" -> EchoServer.main(rest);
            case "channel-echo" -> ChannelEchoServer.main(rest);
            case "http" -> HttpServer.main(rest);
            case "netty-echo" -> NettyEchoServer.main(rest);
            case "load" -> EchoLoad.main(rest);
            default -> {
                System.err.println("unknown example '" + args[0] + "'");
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }
}
