package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.Runtime;
import io.krill.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A two-worker runtime, a shared arena (fixtures and test bodies may run on different threads)
 * and the rule that a test leaks no file descriptor, for tests over real loopback sockets.
 */
abstract class LoopbackFixture {

    static final Duration WAIT = Duration.ofSeconds(30);

    Runtime runtime;
    Arena arena;
    private long descriptorsBefore;
    private long descriptorsWithRuntime;

    static long openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count() - 1; // the listing's own descriptor
        }
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @BeforeEach
    void setUpRuntime() throws IOException {
        io.krill.internal.jni.NativeLibrary.load();
        new ServerSocket().close(); // the JDK keeps a descriptor from its first socket on: take it before counting
        descriptorsBefore = openDescriptors();
        runtime = Runtime.builder().workers(2).build();
        descriptorsWithRuntime = openDescriptors();
        arena = Arena.ofShared();
    }

    /**
     * Counts twice: before the shutdown, which would close whatever sockets are still registered
     * (so a socket a test forgot is caught here), and after it (the runtime's own descriptors).
     */
    @AfterEach
    void tearDownRuntime() throws IOException {
        long beforeShutdown = openDescriptors();
        runtime.shutdown(Duration.ofSeconds(5));
        arena.close();
        assertEquals(descriptorsWithRuntime, beforeShutdown, "sockets left open at the end of the test");
        assertEquals(descriptorsBefore, openDescriptors(), "descriptors leaked");
    }

    /** A Krill stream connected to a plain blocking socket: the peer, which the caller closes. */
    record Peered(TcpStream stream, Socket peer) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            stream.close();
            peer.close();
        }
    }

    /** Connects a Krill stream (the client) to a {@link Socket} accepted on this thread. */
    Peered connectToPlainSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Task<TcpStream> connecting = runtime.blockOn(() -> TcpStream.connect(loopback(server.getLocalPort())));
            Socket peer = server.accept();
            try {
                return new Peered(connecting.join(WAIT), peer);
            } catch (Exception | Error e) {
                peer.close();
                throw e;
            }
        }
    }

    /** Echoes everything it reads until end of stream, then closes. */
    static Task<Void> echo(TcpStream stream, MemorySegment buffer) {
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                stream.close();
                return Task.completed(null);
            }
            return stream.writeAll(buffer.asSlice(0, n)).then(v -> echo(stream, buffer));
        });
    }

    /** Reads until end of stream into {@code out}. */
    static Task<Void> readAll(TcpStream stream, MemorySegment buffer, ByteArrayOutputStream out) {
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                return Task.completed(null);
            }
            out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
            return readAll(stream, buffer, out);
        });
    }
}
