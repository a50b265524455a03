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
import java.time.Duration;
import java.util.Map;
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
    private Map<Integer, String> descriptorsBefore;
    private long socketsWithRuntime;

    /** Open descriptors and what they point at ({@code socket:[inode]}, a path …), by number. */
    static Map<Integer, String> openDescriptors() {
        return io.krill.internal.jni.OpenDescriptors.snapshot();
    }

    static long sockets(Map<Integer, String> descriptors) {
        return descriptors.values().stream().filter(target -> target.startsWith("socket:")).count();
    }

    /**
     * Sockets, epoll instances and eventfds: what Krill opens. Files are left out, as the JVM
     * opens and closes some of its own on other threads (a count that includes them flickers).
     */
    static long socketsAndPollers(Map<Integer, String> descriptors) {
        return descriptors.values().stream()
                .filter(target -> target.startsWith("socket:") || target.startsWith("anon_inode:"))
                .count();
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The runtime each test runs on: two workers (a test that injects faults builds it on its backend). */
    Runtime newRuntime() {
        return Runtime.builder().workers(2).build();
    }

    @BeforeEach
    void setUpRuntime() throws IOException {
        // The backend matrix (#14) runs this suite once per backend: the run must be on the one it names.
        assertEquals(System.getProperty("krill.test.backend", "jni"), io.krill.internal.backend.Backends.selected().name(),
                "the backend this run was meant for");
        new ServerSocket().close(); // the JDK keeps a descriptor from its first socket on: take it before counting
        descriptorsBefore = openDescriptors();
        runtime = newRuntime();
        socketsWithRuntime = sockets(openDescriptors());
        arena = Arena.ofShared();
    }

    /**
     * Counts sockets before the shutdown, which would close whatever sockets are still
     * registered (so a socket a test forgot is caught here), and sockets, epoll instances and
     * eventfds after it (the runtime's own too).
     */
    @AfterEach
    void tearDownRuntime() throws IOException {
        Map<Integer, String> beforeShutdown = openDescriptors();
        runtime.shutdown(Duration.ofSeconds(5));
        arena.close();
        assertEquals(socketsWithRuntime, sockets(beforeShutdown), () -> "sockets left open at the end of the test: "
                + beforeShutdown);
        Map<Integer, String> after = openDescriptors();
        assertEquals(socketsAndPollers(descriptorsBefore), socketsAndPollers(after), () -> "descriptors leaked: before "
                + descriptorsBefore + ", after " + after);
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
