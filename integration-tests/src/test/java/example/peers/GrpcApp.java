package example.peers;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * gRPC over Netty (grpc-netty-shaded: its event loops are relocated Netty {@code FastThreadLocalThread}s and stay
 * platform threads) with the service methods on an app pool ({@code newFixedThreadPool(32)}), called by blocking
 * stubs from many plain app threads. Args: {@code <threads>}. Each thread makes 20 unary calls, one server-streaming
 * call and one call the service fails with {@code INVALID_ARGUMENT}; then one thread makes a call whose 300 ms
 * deadline expires while the service sleeps, and a bidirectional stream. Protobuf-free: a UTF-8 string marshaller.
 * Prints sorted lines and {@code RESULT ok=<n> wrong=<n>}, the same text in every JVM.
 */
public final class GrpcApp {
    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String s) {
            return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> UPPER = method(MethodDescriptor.MethodType.UNARY, "Upper");
    static final MethodDescriptor<String, String> COUNT = method(MethodDescriptor.MethodType.SERVER_STREAMING, "Count");
    static final MethodDescriptor<String, String> CHAT = method(MethodDescriptor.MethodType.BIDI_STREAMING, "Chat");

    private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder().setType(type).setFullMethodName("peer.Strings/" + name)
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        ExecutorService servicePool = Executors.newFixedThreadPool(32);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(servicePool)
                .addService(service()).build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        long ok = Callers.runAndPrint(threads, "grpc-caller-", id -> calls(channel, id));
        Thread other = new Thread(() -> {
            try {
                ClientCalls.blockingUnaryCall(channel, UPPER, CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), "slow");
                System.out.println("deadline: none");
            } catch (StatusRuntimeException e) {
                System.out.println("deadline: " + e.getStatus().getCode());
            }
            System.out.println("bidi: " + bidi(channel));
        }, "grpc-other");
        other.start();
        other.join();
        channel.shutdown();
        System.out.println("channel terminated: " + channel.awaitTermination(30, TimeUnit.SECONDS));
        server.shutdown();
        System.out.println("server terminated: " + server.awaitTermination(30, TimeUnit.SECONDS));
        servicePool.shutdown();
        System.out.println("RESULT ok=" + ok + " wrong=" + (threads - ok));
    }

    private static String calls(ManagedChannel channel, int id) {
        try {
            boolean right = true;
            for (int k = 0; k < 20; k++) {
                String m = "m" + id + "k" + k;
                right &= ClientCalls.blockingUnaryCall(channel, UPPER, CallOptions.DEFAULT, m).equals(m.toUpperCase());
            }
            Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, COUNT, CallOptions.DEFAULT, "" + (id % 7 + 1));
            List<String> items = new ArrayList<>();
            it.forEachRemaining(items::add);
            right &= items.size() == id % 7 + 1;
            String failed;
            try {
                ClientCalls.blockingUnaryCall(channel, UPPER, CallOptions.DEFAULT, "fail" + id);
                failed = "none";
            } catch (StatusRuntimeException e) {
                failed = e.getStatus().getCode() + ":" + e.getStatus().getDescription();
            }
            right &= failed.equals("INVALID_ARGUMENT:bad fail" + id);
            return String.format("caller %02d stream=%s error=%s %s", id, items, failed, right ? "ok" : "WRONG");
        } catch (RuntimeException e) {
            return String.format("caller %02d failed: %s", id, e);
        }
    }

    private static String bidi(ManagedChannel channel) {
        CountDownLatch done = new CountDownLatch(1);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, CallOptions.DEFAULT),
                new StreamObserver<>() {
                    @Override
                    public void onNext(String v) {
                        got.add(v);
                    }

                    @Override
                    public void onError(Throwable t) {
                        got.add("error " + t);
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        for (int i = 0; i < 5; i++) {
            requests.onNext("b" + i);
        }
        requests.onCompleted();
        try {
            return "completed=" + done.await(30, TimeUnit.SECONDS) + " " + got;
        } catch (InterruptedException e) {
            return "interrupted";
        }
    }

    private static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder("peer.Strings")
                .addMethod(UPPER, ServerCalls.asyncUnaryCall((req, out) -> {
                    if (req.startsWith("fail")) {
                        out.onError(Status.INVALID_ARGUMENT.withDescription("bad " + req).asRuntimeException());
                        return;
                    }
                    if (req.equals("slow")) {
                        try {
                            Thread.sleep(1500);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        if (((ServerCallStreamObserver<String>) out).isCancelled()) {
                            return; // the caller's deadline passed: nothing to answer
                        }
                    }
                    out.onNext(req.toUpperCase());
                    out.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    for (int i = 0; i < Integer.parseInt(req); i++) {
                        out.onNext("item" + i);
                    }
                    out.onCompleted();
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String v) {
                        out.onNext("re:" + v);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
    }
}
