package io.krill.internal.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.internal.reactor.NativeIoOverride;
import io.krill.net.ConnectionResetException;
import io.krill.net.TcpListener;
import io.krill.net.TcpStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * #14's mixed pairs: a server on one backend and a client on the other, in one JVM (each
 * runtime on its own {@link io.krill.internal.reactor.NativeIo}), so that what one backend
 * writes the other reads byte for byte, a FIN and a reset included.
 */
@ParameterizedClass(name = "{0} server, {1} client")
@CsvSource({"jni, jna", "jna, jni"})
class MixedBackendTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Parameter(0)
    String serverBackend;

    @Parameter(1)
    String clientBackend;

    private Runtime server;
    private Runtime client;
    private Arena arena;

    @BeforeEach
    void setUp() {
        server = NativeIoOverride.with(Backends.load(serverBackend), () -> Runtime.builder().workers(1).build());
        client = NativeIoOverride.with(Backends.load(clientBackend), () -> Runtime.builder().workers(1).build());
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
        arena.close();
    }

    /** Echoes until the peer's FIN, then sends ours. */
    private static Task<Void> echo(TcpStream stream, MemorySegment buffer) {
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                try {
                    stream.shutdownOutput();
                } catch (java.io.IOException e) {
                    return Task.failed(e);
                }
                return Task.completed(null);
            }
            return stream.writeAll(buffer.asSlice(0, n)).then(done -> echo(stream, buffer));
        });
    }

    private static Task<Void> readAll(TcpStream stream, MemorySegment buffer, ByteArrayOutputStream out) {
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                return Task.completed(null);
            }
            out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
            return readAll(stream, buffer, out);
        });
    }

    @Test
    void aMegabyteEchoesByteForByteAndTheFinCrossesBothWays() throws Exception {
        assertEquals(serverBackend, server.metrics().backend());
        assertEquals(clientBackend, client.metrics().backend());
        TcpListener listener = server.blockOn(
                () -> TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        try (listener) {
            MemorySegment serverBuffer = arena.allocate(16 * 1024);
            Task<Void> serving = server.blockOn(() -> listener.accept().then(stream -> echo(stream, serverBuffer)
                    .handle((ok, failure) -> {
                        stream.close();
                        if (failure != null) {
                            throw new CompletionException(failure);
                        }
                        return ok;
                    })));

            byte[] payload = new byte[1 << 20];
            new Random(14).nextBytes(payload);
            MemorySegment outgoing = arena.allocateFrom(ValueLayout.JAVA_BYTE, payload);
            MemorySegment clientBuffer = arena.allocate(16 * 1024);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            TcpStream stream = client.blockOn(() -> TcpStream.connect(listener.localAddress())).join(WAIT);
            try (stream) {
                assertEquals(listener.localAddress(), stream.peerAddress());
                Task<Void> reading = client.blockOn(() -> readAll(stream, clientBuffer, received));
                client.blockOn(() -> stream.writeAll(outgoing)).join(WAIT);
                stream.shutdownOutput();
                reading.join(WAIT);
            }
            serving.join(WAIT);
            assertArrayEquals(payload, received.toByteArray(), "the echo, after the server's FIN");
            // A megabyte read in 16 KiB reads is at least 64 reads on each side, each a crossing
            // on a worker (writes may take it in a few large calls); reads wait for events.
            for (Runtime runtime : new Runtime[] {server, client}) {
                io.krill.RuntimeMetrics metrics = runtime.metrics();
                assertTrue(metrics.nativeCalls() >= 64, metrics.toString());
                assertTrue(metrics.ioEvents() > 0 && metrics.ioEvents() < metrics.nativeCalls(), metrics.toString());
                assertTrue(metrics.nativeCallsPerEvent() > 1, metrics.toString());
            }
        }
    }

    @Test
    void aResetFromOneBackendFailsTheOthersReadAsAReset() throws Exception {
        TcpListener listener = server.blockOn(
                () -> TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        try (listener) {
            Task<TcpStream> accepted = server.blockOn(listener::accept);
            TcpStream stream = client.blockOn(() -> TcpStream.connect(listener.localAddress())).join(WAIT);
            TcpStream peer = accepted.join(WAIT);
            try (peer) {
                Task<Integer> read = server.blockOn(() -> peer.read(arena.allocate(64)));
                stream.setLinger(Duration.ZERO);
                stream.close(); // RST
                CompletionException failure = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                        () -> read.join(WAIT));
                assertInstanceOf(ConnectionResetException.class, failure.getCause());
            }
        }
    }
}
