package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.reactor.FaultyNativeIo.Call;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What closing a handler-API connection costs in system calls (#12: a burst of 15,000 idle
 * connections ending at once is that cost 15,000 times, on the server's one core): a connection
 * the peer ended closes with one close(2), neither a shutdown(2) nor an epoll_ctl(DEL) first;
 * a half-close the server makes while the peer still sends keeps its shutdown.
 */
@EnabledOnOs(OS.LINUX)
class CloseCostTest extends FaultFixture {

    private TcpServer server;

    @AfterEach
    void closeServer() throws InterruptedException {
        if (server != null) {
            assertTrue(server.close(Duration.ofSeconds(10)), "server closed in time");
        }
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /** Waits until the server has closed its side of every connection it opened (its count is 0). */
    private void awaitNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.connections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(0, server.connections(), "connections left open");
    }

    @Test
    void aConnectionThePeerEndedClosesWithOneCloseAndNothingBefore() throws Exception {
        server = runtime.blockOn(() -> TcpServer.bind(loopback(0), (connection, data) -> connection.write(data)));
        int connections = 20;
        long shutdowns = io.calls(Call.SHUTDOWN);
        long deletes = io.calls(Call.EPOLL_DELETE);
        long closes = io.calls(Call.CLOSE);
        for (int i = 0; i < connections; i++) {
            try (Socket client = connect()) {
                client.getOutputStream().write('x');
                InputStream in = client.getInputStream();
                assertEquals('x', in.read());
                client.shutdownOutput();
                assertEquals(-1, in.read(), "the server's FIN after the peer's");
            }
        }
        awaitNoConnections();
        assertEquals(0, io.calls(Call.SHUTDOWN) - shutdowns, "shutdown(2) calls");
        assertEquals(0, io.calls(Call.EPOLL_DELETE) - deletes, "epoll_ctl(DEL) calls");
        assertEquals(connections, io.calls(Call.CLOSE) - closes, "close(2) calls");
    }

    @Test
    void aHalfCloseBeforeThePeerEndsStillShutsTheOutputFirst() throws Exception {
        server = runtime.blockOn(() -> TcpServer.bind(loopback(0), (connection, data) -> {
            connection.write(MemorySegment.ofArray("bye".getBytes(StandardCharsets.US_ASCII)));
            connection.shutdownOutput();
        }));
        long shutdowns = io.calls(Call.SHUTDOWN);
        try (Socket client = connect()) {
            client.getOutputStream().write('x');
            InputStream in = client.getInputStream();
            assertEquals("bye", new String(in.readNBytes(3), StandardCharsets.US_ASCII));
            assertEquals(-1, in.read(), "FIN while the client's side is still open");
            client.getOutputStream().write('y'); // the server still reads: the connection is half open
            client.shutdownOutput();
        }
        awaitNoConnections();
        assertEquals(1, io.calls(Call.SHUTDOWN) - shutdowns, "shutdown(2) calls");
    }
}
