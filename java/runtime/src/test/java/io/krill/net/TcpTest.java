package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** TCP over real loopback sockets, through the reactor, with the Task API; no fd may leak. */
@EnabledOnOs(OS.LINUX)
class TcpTest extends LoopbackFixture {

    private void roundTrip(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        MemorySegment payload = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
        MemorySegment serverBuffer = arena.allocate(64 * 1024);
        MemorySegment clientBuffer = arena.allocate(64 * 1024);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Task<Void> done = runtime.blockOn(() -> {
            TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Task<Void> server = listener.accept().then(stream -> {
                listener.close();
                return echo(stream, serverBuffer);
            });
            Task<Void> client = TcpStream.connect(listener.localAddress()).then(stream -> {
                // Read concurrently with the write: a large payload fills both socket buffers.
                Task<Void> reading = readAll(stream, clientBuffer, received);
                return stream.writeAll(payload).then(v -> {
                    try {
                        stream.shutdownOutput(); // half-close: the server sees end of stream...
                    } catch (IOException e) {
                        return Task.<Void>failed(e);
                    }
                    return reading; // ...echoes the rest, closes; we read to our end
                }).map(v -> {
                    stream.close();
                    return null;
                });
            });
            return Task.all(java.util.List.of(server, client)).map(both -> null);
        });
        done.join(WAIT);
        assertArrayEquals(data, received.toByteArray(), size + " bytes echoed");
    }

    @Test
    void oneByteEchoesBack() throws Exception {
        roundTrip(1);
    }

    @Test
    void fourMegabytesEchoBackThroughFullBuffers() throws Exception {
        roundTrip(4 * 1024 * 1024);
    }

    @Test
    void sixteenMegabytesEchoBack() throws Exception {
        roundTrip(16 * 1024 * 1024);
    }

    @Test
    void connectingToAClosedPortIsRefused() {
        InetSocketAddress closed = runtime.blockOn(() -> {
            TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress address = listener.localAddress();
            listener.close();
            return address;
        });
        Task<TcpStream> attempt = runtime.blockOn(() -> TcpStream.connect(closed));
        CompletionException e = assertThrows(CompletionException.class, () -> attempt.join(WAIT));
        assertInstanceOf(ConnectionRefusedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains(closed.toString()), e.getCause().getMessage());
    }

    @Test
    void aTakenAddressIsReportedWithIt() {
        IOException e = runtime.blockOn(() -> {
            TcpListener first = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                TcpListener.bind(first.localAddress());
                return null;
            } catch (IOException expected) {
                return expected;
            } finally {
                first.close();
            }
        });
        assertInstanceOf(AddressInUseException.class, e);
    }

    @Test
    void aClosedStreamRefusesUseAndReportsClosed() throws Exception {
        TcpStream[] streams = runtime.blockOn(() -> {
            TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Task<TcpStream> accepted = listener.accept();
            return TcpStream.connect(listener.localAddress())
                    .then(client -> accepted.map(server -> {
                        listener.close();
                        return new TcpStream[] {client, server};
                    }));
        }).join(WAIT);
        assertEquals(streams[0].localAddress(), streams[1].peerAddress());
        streams[0].close();
        streams[0].close(); // harmless
        assertFalse(streams[0].isOpen());
        MemorySegment buffer = arena.allocate(16);
        assertThrows(IllegalStateException.class, () -> streams[0].read(buffer));
        assertEquals(-1, streams[1].read(buffer).join(WAIT), "the peer sees end of stream");
        streams[1].close();
        assertThrows(IllegalArgumentException.class, () -> streams[1].read(MemorySegment.ofArray(new byte[4])));
    }
}
