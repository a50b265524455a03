package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The handler-API proxy between plain JDK sockets: an upstream echo server that echoes to the
 * end of stream and then half-closes, and clients that send, half-close and read to the end.
 */
@EnabledOnOs(OS.LINUX)
class ProxyTest {

    private static final int WAIT_SECONDS = 30;
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private ServerSocket upstream;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** Echoes each connection to its end of stream, then shuts its output (passing the FIN back). */
    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.submit(() -> {
            while (!upstream.isClosed()) {
                Socket socket = upstream.accept();
                threads.submit(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                        socket.shutdownOutput();
                        socket.getInputStream().read(); // until the proxy closes its side
                    }
                    return null;
                });
            }
            return null;
        });
    }

    @AfterEach
    void stopUpstream() throws IOException {
        upstream.close();
        threads.shutdownNow();
    }

    private InetSocketAddress upstreamAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.getLocalPort());
    }

    /** Sends {@code data} through the proxy, half-closes, and returns all that came back before the end of stream. */
    private static byte[] roundTrip(InetSocketAddress proxy, byte[] data) throws Exception {
        try (Socket socket = new Socket(proxy.getAddress(), proxy.getPort())) {
            socket.setSoTimeout(WAIT_SECONDS * 1000);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(data);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(received); // ends only when the FIN came back through the proxy
            sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return received.toByteArray();
        }
    }

    @Test
    void relaysBothWaysAndPassesTheHalfCloseThrough() throws Exception {
        try (Proxy proxy = Proxy.start(ANY_PORT, upstreamAddress(), 2)) {
            byte[] data = new byte[4 * 1024 * 1024]; // far past the watermarks: the relay meets backpressure
            new Random(1).nextBytes(data);
            assertArrayEquals(data, roundTrip(proxy.address(), data));
            assertArrayEquals(new byte[0], roundTrip(proxy.address(), new byte[0]), "a FIN alone crosses too");
            waitForNoConnections(proxy);
        }
    }

    @Test
    void manyClientsAtOnceEachGetTheirOwnBytes() throws Exception {
        try (Proxy proxy = Proxy.start(ANY_PORT, upstreamAddress(), 2)) {
            List<CompletableFuture<Boolean>> clients = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                byte[] data = new byte[64 * 1024 + i];
                new Random(i).nextBytes(data);
                clients.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return java.util.Arrays.equals(data, roundTrip(proxy.address(), data));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, threads));
            }
            for (CompletableFuture<Boolean> client : clients) {
                assertTrue(client.get(WAIT_SECONDS, TimeUnit.SECONDS));
            }
            waitForNoConnections(proxy);
        }
    }

    @Test
    void aRefusingUpstreamClosesTheClient() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        try (Proxy proxy = Proxy.start(ANY_PORT, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort), 1);
                Socket socket = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            socket.setSoTimeout(WAIT_SECONDS * 1000);
            InputStream in = socket.getInputStream();
            assertEquals(-1, in.read(), "closed when the upstream refused");
            waitForNoConnections(proxy);
        }
    }

    private static void waitForNoConnections(Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (proxy.connections() != 0) {
            assertTrue(System.nanoTime() < deadline, "connections left open: " + proxy.connections());
            Thread.sleep(5);
        }
    }
}
