package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.Runtime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@EnabledOnOs(OS.LINUX)
class TcpClientVirtualTest {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void againstEitherEchoServerItPrintsReceivedHello() {
        Output out = new Output();
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            try (TcpEchoServerVirtual server = TcpEchoServerVirtual.start(runtime, ANY_PORT)) {
                TcpClientVirtual.run(runtime, server.localAddress(), out);
            }
            try (TcpEchoServer server = TcpEchoServer.start(runtime, ANY_PORT)) { // the Task-API twin: same wire
                TcpClientVirtual.run(runtime, server.localAddress(), out);
            }
        }
        assertEquals(List.of("Received: Hello", "Received: Hello"), out.lines());
    }

    /** A JDK peer that checks what the client sent and answers something else: the client prints what it read. */
    @Test
    void itSendsHelloAndPrintsWhatThePeerAnswers() throws Exception {
        Output out = new Output();
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Runtime runtime = Runtime.builder().workers(2).build()) {
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = peer.accept()) {
                    socket.setSoTimeout((int) (Output.WAIT_SECONDS * 1000));
                    String hello = new String(socket.getInputStream().readNBytes(5), StandardCharsets.UTF_8);
                    socket.getOutputStream().write("World".getBytes(StandardCharsets.UTF_8));
                    return hello + (socket.getInputStream().read() == -1 ? " then end of stream" : " then more");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            TcpClientVirtual.run(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort()), out);
            assertEquals("Hello then end of stream", sent.get(Output.WAIT_SECONDS, TimeUnit.SECONDS),
                    "the client sends Hello and closes its stream");
        }
        assertEquals(List.of("Received: World"), out.lines());
    }
}
