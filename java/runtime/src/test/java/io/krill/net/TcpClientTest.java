package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Outbound connections on the handler API: served by the client's handler after onOpen, a
 * refused connect fails its task without callbacks, a cancelled connect leaves no socket, and
 * reading can be paused and resumed.
 */
class TcpClientTest extends LoopbackFixture {

    private static final long WAIT_SECONDS = WAIT.toSeconds();

    /** "open <token> <user long>", "data <text>", "close <cause>": what the handler saw. */
    private final BlockingQueue<String> events = new ArrayBlockingQueue<>(1024);

    private final ConnectionHandler recorder = new ConnectionHandler() {
        @Override
        public void onOpen(Connection connection) {
            events.add("open " + connection.token() + " " + connection.getLong(0));
            connection.write(MemorySegment.ofArray("hello".getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public void onData(Connection connection, MemorySegment data) {
            events.add("data " + new String(data.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
        }

        @Override
        public void onClose(Connection connection, Throwable cause) {
            events.add("close " + cause);
        }
    };

    /** A handler with nothing to do: for tests of connecting alone. */
    private static final ConnectionHandler SILENT = (connection, data) -> { };

    private TcpClient client(ConnectionHandler handler) {
        return runtime.blockOn(() -> TcpClient.builder(handler).build());
    }

    private String next() throws InterruptedException {
        String event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(event != null, "no callback in time");
        return event;
    }

    @Test
    void aConnectionIsServedByTheClientsHandlerAndItsTaskGivesTheToken() throws Exception {
        TcpClient client = client(recorder);
        try (ServerSocket upstream = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            long token = client.connect(loopback(upstream.getLocalPort()), 7).join(WAIT);
            try (Socket peer = upstream.accept()) {
                assertEquals("open " + token + " 7", next(), "onOpen first, the user long set, the same token");
                assertEquals("hello", new String(peer.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
                peer.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
                assertEquals("data world", next());
                assertEquals(1, client.connections());
                assertEquals(SendResult.SUBMITTED, client.write(token, "!".getBytes(StandardCharsets.US_ASCII)));
                assertEquals('!', peer.getInputStream().read());
            }
            assertEquals("close null", next(), "the peer's FIN: both directions end, the connection closes");
        } finally {
            assertTrue(client.close(WAIT));
        }
        assertEquals(0, client.connections());
    }

    @Test
    void aRefusedConnectFailsItsTaskNamingTheAddressWithoutCallbacks() throws Exception {
        TcpClient client = client(recorder);
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        try {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> client.connect(loopback(port)).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(ConnectionRefusedException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().contains(":" + port), failure.getCause().getMessage());
            assertNull(events.poll(100, TimeUnit.MILLISECONDS), "no callback for a connection that never opened");
            assertEquals(0, client.connections());
        } finally {
            assertTrue(client.close(WAIT));
        }
    }

    @Test
    void aCancelledConnectLeavesNoSocketBehindEvenWhenItRacesTheConnect() throws Exception {
        TcpClient client = client(SILENT);
        int abandoned = 0;
        try (ServerSocket upstream = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 100; i++) {
                var connecting = client.connect(loopback(upstream.getLocalPort()));
                if (connecting.cancel()) {
                    abandoned++;
                    assertThrows(CancellationException.class, () -> connecting.join(WAIT));
                } else {
                    assertEquals(SendResult.SUBMITTED, client.closeConnection(connecting.join(WAIT))); // it won: ours to close
                }
            }
            // Every connect reached the kernel's backlog; each socket must have been closed by the
            // client (abandoned, or closed by token) before the client itself closes.
            upstream.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            for (int i = 0; i < 100; i++) {
                try (Socket accepted = upstream.accept()) {
                    accepted.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    assertEquals(-1, accepted.getInputStream().read(), "connection " + i + " was closed by the client");
                }
            }
            assertEquals(0, client.connections());
        } finally {
            assertTrue(client.close(WAIT));
        }
        assertTrue(abandoned > 0, "some connects were cancelled before they finished");
    }

    @Test
    void aConnectThatLosesATimeoutOrARaceClosesItsSocket() throws Exception {
        TcpClient client = client(SILENT);
        int lost = 0;
        try (ServerSocket upstream = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress())) {
            java.net.InetSocketAddress address = loopback(upstream.getLocalPort());
            for (int i = 0; i < 100; i++) {
                boolean byTimeout = i % 2 == 0;
                Task<Long> outcome = runtime.blockOn(() -> byTimeout
                        ? io.krill.time.Time.timeout(java.time.Duration.ZERO, client.connect(address))
                        : Task.race(client.connect(address), Task.<Long>completed(-1L)));
                try {
                    long token = outcome.join(WAIT);
                    if (token == -1L) {
                        lost++; // the race's other side won: the connect was cancelled
                    } else {
                        client.closeConnection(token); // the connect won: ours to close
                    }
                } catch (java.util.concurrent.CompletionException timedOut) {
                    assertInstanceOf(java.util.concurrent.TimeoutException.class, timedOut.getCause());
                    lost++;
                }
            }
            assertTrue(client.close(WAIT)); // a completion a timeout dropped (#13) is closed here at the latest
            // Every connect reached the kernel's backlog; each socket is closed on the client's side.
            upstream.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            for (int i = 0; i < 100; i++) {
                try (Socket accepted = upstream.accept()) {
                    accepted.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    assertEquals(-1, accepted.getInputStream().read(), "connection " + i + " was closed by the client");
                }
            }
        }
        assertTrue(lost > 0, "some connects lost their timeout or race");
        // LoopbackFixture's teardown checks that no socket of Krill's is left open.
    }

    @Test
    void pausedReadingHoldsTheBytesUntilResumed() throws Exception {
        CompletableFuture<Long> opened = new CompletableFuture<>();
        TcpServer server = runtime.blockOn(() -> TcpServer.bind(loopback(0), new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                connection.pauseReading();
                opened.complete(connection.token());
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {
                events.add("data " + new String(data.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
            }
        }));
        try (Socket socket = new Socket(java.net.InetAddress.getLoopbackAddress(), server.localAddress().getPort())) {
            long token = opened.get(WAIT_SECONDS, TimeUnit.SECONDS);
            socket.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            assertNull(events.poll(200, TimeUnit.MILLISECONDS), "paused: not read");
            assertEquals(SendResult.SUBMITTED, server.execute(token, Connection::resumeReading));
            assertEquals("data abc", next(), "what waited is read once resumed");
            socket.getOutputStream().write("d".getBytes(StandardCharsets.US_ASCII));
            assertEquals("data d", next());
        } finally {
            assertTrue(server.close(WAIT));
        }
    }

    @Test
    void closingTheClientClosesItsConnections() throws Exception {
        TcpClient client = client(recorder);
        try (ServerSocket upstream = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            long token = client.connect(loopback(upstream.getLocalPort())).join(WAIT);
            try (Socket peer = upstream.accept()) {
                assertEquals("open " + token + " 0", next());
                assertTrue(client.close(WAIT));
                assertEquals("close null", next());
                peer.getInputStream().readNBytes(5); // hello
                assertEquals(-1, peer.getInputStream().read(), "the socket was closed");
            }
        }
        assertTrue(client.connect(loopback(1)).toCompletableFuture().isCompletedExceptionally(), "a closed client refuses");
    }
}
