package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.JoinHandle;
import io.krill.Runtime;
import io.krill.Task;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * #15: blocking style over real sockets. Listeners, servers and connections made from virtual
 * threads of {@code spawnVirtual} (the calls are routed to a worker), and an echo server with a
 * virtual thread per connection doing blocking read and write through {@code join()}.
 */
@EnabledOnOs(OS.LINUX)
class VirtualThreadNetTest extends LoopbackFixture {

    private static final int CONNECTIONS = 8;
    private static final int BUFFER_BYTES = 1024;

    /** Echoes one connection until end of stream, in blocking style; closes it. */
    private static Void echoBlocking(TcpStream stream, MemorySegment buffer) {
        try (stream) {
            for (int n = stream.read(buffer).join(); n >= 0; n = stream.read(buffer).join()) {
                stream.writeAll(buffer.asSlice(0, n)).join();
            }
        }
        return null;
    }

    @Test
    void anEchoServerWithAVirtualThreadPerConnectionServesVirtualClients() throws Exception {
        AtomicReference<InetSocketAddress> bound = new AtomicReference<>();
        ConcurrentLinkedQueue<JoinHandle<Void>> served = new ConcurrentLinkedQueue<>();
        TcpListener listener = runtime.spawnVirtual(() -> TcpListener.bind(loopback(0))).join(WAIT);
        bound.set(listener.localAddress());
        JoinHandle<Integer> accepting = runtime.spawnVirtual(() -> {
            int accepted = 0;
            for (;;) {
                TcpStream stream;
                try {
                    stream = listener.accept().join();
                } catch (CompletionException e) {
                    assertInstanceOf(SocketClosedException.class, e.getCause(), "the loop ends when the listener closes");
                    return accepted;
                }
                accepted++;
                served.add(Runtime.current().spawnVirtual(() -> echoBlocking(stream, arena.allocate(BUFFER_BYTES))));
            }
        });
        List<JoinHandle<byte[]>> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            byte[] message = new byte[3 * BUFFER_BYTES + i]; // more than one read of the server's buffer
            new Random(i).nextBytes(message);
            clients.add(runtime.spawnVirtual(() -> {
                try (TcpStream stream = TcpStream.connect(bound.get()).join()) {
                    stream.writeAll(arena.allocateFrom(ValueLayout.JAVA_BYTE, message)).join();
                    MemorySegment back = arena.allocate(message.length);
                    stream.readExact(back).join();
                    stream.shutdownOutput();
                    MemorySegment rest = arena.allocate(1);
                    assertEquals(-1, stream.read(rest).join(), "the server closed after our end of stream");
                    assertArrayEquals(message, back.toArray(ValueLayout.JAVA_BYTE));
                    return message;
                }
            }));
        }
        for (JoinHandle<byte[]> client : clients) {
            client.join(WAIT);
        }
        listener.close();
        assertEquals(CONNECTIONS, accepting.join(WAIT));
        for (JoinHandle<Void> connection : served) {
            connection.join(WAIT);
        }
    }

    /** The same server against plain JDK sockets: each connection is its own virtual thread. */
    @Test
    void virtualThreadConnectionsAreIndependentOfEachOther() throws Exception {
        TcpListener listener = runtime.spawnVirtual(() -> TcpListener.bind(loopback(0))).join(WAIT);
        JoinHandle<Void> accepting = runtime.spawnVirtual(() -> {
            try {
                for (;;) {
                    TcpStream stream = listener.accept().join();
                    Runtime.current().spawnVirtual(() -> echoBlocking(stream, arena.allocate(BUFFER_BYTES)));
                }
            } catch (CompletionException closed) {
                return null; // the listener closed
            }
        });
        try (Socket a = new Socket(); Socket b = new Socket()) {
            a.connect(listener.localAddress());
            b.connect(listener.localAddress());
            a.setSoTimeout((int) WAIT.toMillis());
            b.setSoTimeout((int) WAIT.toMillis());
            a.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), a.getInputStream().readNBytes(5));
            b.getOutputStream().write("other".getBytes(StandardCharsets.US_ASCII)); // a is idle, parked in its read
            assertArrayEquals("other".getBytes(StandardCharsets.US_ASCII), b.getInputStream().readNBytes(5));
            a.shutdownOutput();
            assertEquals(-1, a.getInputStream().read(), "a's thread closed its stream at end of stream");
            b.getOutputStream().write('x'); // b's thread is still there
            assertEquals('x', b.getInputStream().read());
        } finally {
            listener.close();
        }
        accepting.join(WAIT);
        assertTrue(runtime.shutdown(WAIT), "every connection's thread ended with its peer");
    }

    @Test
    void aHandlerServerBindsFromAVirtualThread() throws Exception {
        TcpServer server = runtime.spawnVirtual(() -> TcpServer.bind(loopback(0), (connection, data) -> connection.write(data)))
                .join(WAIT);
        try (Socket peer = new Socket()) {
            peer.connect(server.localAddress());
            peer.setSoTimeout((int) WAIT.toMillis());
            peer.getOutputStream().write("handler".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("handler".getBytes(StandardCharsets.US_ASCII), peer.getInputStream().readNBytes(7));
        } finally {
            server.close(WAIT);
        }
    }

    /** A routed bind throws what the bind threw on the worker, as it is: the same type, not a wrapper. */
    @Test
    void aBindThatFailsOnTheWorkerThrowsItsOwnException() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, loopback(0).getAddress())) {
            InetSocketAddress address = loopback(taken.getLocalPort());
            JoinHandle<Throwable> listener = runtime.spawnVirtual(() -> {
                try {
                    TcpListener.builder().bind(address).close();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertInstanceOf(AddressInUseException.class, listener.join(WAIT));
            JoinHandle<Throwable> server = runtime.spawnVirtual(() -> {
                try {
                    TcpServer.bind(address, (connection, data) -> { }).close();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertInstanceOf(AddressInUseException.class, server.join(WAIT));
        }
    }

    @Test
    void aConnectFromAVirtualThreadFailsAsOnAWorker() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, loopback(0).getAddress())) {
            closedPort = probe.getLocalPort(); // nothing listens there once it is closed
        }
        JoinHandle<Throwable> refused = runtime.spawnVirtual(() -> {
            try {
                TcpStream.connect(loopback(closedPort), WAIT).join().close();
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        });
        assertInstanceOf(ConnectionRefusedException.class, refused.join(WAIT));
    }

    /** #15's queued-connection loss: accept() from a virtual thread of spawnVirtual hands over the queued connection. */
    @Test
    void anAcceptFromSpawnVirtualTakesAQueuedConnection() throws Exception {
        TcpListener listener = runtime.spawnVirtual(() -> TcpListener.bind(loopback(0))).join(WAIT);
        try (listener; Socket peer = new Socket()) {
            peer.connect(listener.localAddress()); // handshaken: queued in the kernel before anyone accepts
            peer.setSoTimeout((int) WAIT.toMillis());
            byte[] hello = "queued".getBytes(StandardCharsets.US_ASCII);
            runtime.spawnVirtual(() -> {
                try (TcpStream stream = listener.accept().join()) {
                    stream.writeAll(arena.allocateFrom(ValueLayout.JAVA_BYTE, hello)).join();
                }
                return null;
            }).join(WAIT);
            assertArrayEquals(hello, peer.getInputStream().readNBytes(hello.length));
            assertEquals(-1, peer.getInputStream().read(), "closed by the virtual thread");
        }
    }

    /**
     * Cancel safety of a routed connect: cancelled at any point (before it reached a worker,
     * while it connects, as it completes), the stream is either handed to the caller or closed;
     * the fixture finds no socket left.
     */
    @Test
    void aRoutedConnectCancelledAtAnyPointLeavesNoSocket() throws Exception {
        TcpListener listener = runtime.spawnVirtual(() -> TcpListener.bind(loopback(0))).join(WAIT);
        JoinHandle<Void> accepting = runtime.spawnVirtual(() -> {
            try {
                for (;;) {
                    listener.accept().join().close();
                }
            } catch (CompletionException | IllegalStateException closed) {
                return null; // the listener closed: while an accept waited, or before the next one (accept's @throws)
            }
        });
        int[] outcomes = runtime.spawnVirtual(() -> {
            Random random = new Random(15);
            int[] counts = new int[2]; // {cancelled, connected}
            for (int i = 0; i < 300; i++) {
                Task<TcpStream> connecting = TcpStream.connect(listener.localAddress());
                for (int spin = random.nextInt(20_000); spin > 0; spin--) {
                    Thread.onSpinWait(); // lands the cancel anywhere from before the worker runs it to after
                }
                if (connecting.cancel()) {
                    counts[0]++;
                } else {
                    connecting.join().close();
                    counts[1]++;
                }
            }
            return counts;
        }).join(WAIT);
        listener.close();
        accepting.join(WAIT);
        assertEquals(300, outcomes[0] + outcomes[1], "cancelled " + outcomes[0] + ", connected " + outcomes[1]);
        assertTrue(runtime.shutdown(WAIT));
    }

    @Test
    void aThreadOfNoRuntimeIsToldToUseSpawnVirtual() {
        InetSocketAddress address = loopback(0);
        for (String what : List.of("TcpListener.bind", "TcpServer.bind", "connect(")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                switch (what) {
                    case "TcpListener.bind" -> TcpListener.bind(address);
                    case "TcpServer.bind" -> TcpServer.bind(address, (connection, data) -> { });
                    default -> TcpStream.connect(address);
                }
            });
            assertTrue(e.getMessage().startsWith(what) && e.getMessage().contains("runtime.spawnVirtual"), e.getMessage());
        }
    }
}
