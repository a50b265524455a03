package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.Errno;
import io.krill.internal.reactor.FaultyNativeIo.Call;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The handler API's accept and I/O under injected system-call failures (#13): the server backs
 * off and goes on serving; wrong EAGAINs lose no byte.
 */
@EnabledOnOs(OS.LINUX)
class TcpServerFaultTest extends FaultFixture {

    private static final ConnectionHandler ECHO = (connection, data) -> connection.write(data);

    private TcpServer server;

    private TcpServer start() {
        server = runtime.blockOn(() -> TcpServer.bind(loopback(0), ECHO));
        return server;
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /** Before the fixture counts descriptors: the server's are closed with it. */
    @AfterEach
    void closeServer() throws Exception {
        if (server != null) {
            assertTrue(server.close(Duration.ofSeconds(10)), "server closed in time");
        }
    }


    /**
     * EBADF on every accept for a while: the server does not spin (back-off 10, 20, 40 … ms: a
     * handful of accept calls in 300 ms, where a spin makes thousands), and the client that was
     * waiting gets its echo once the storm is over.
     */
    @Test
    void anEbadfStormDoesNotSpinAndTheWaitingClientIsServedAfter() throws Exception {
        captureWarnings("io.krill.net.TcpServer");
        start();
        long callsBefore = io.calls(Call.ACCEPT);
        io.storm(Call.ACCEPT, Errno.EBADF, Duration.ofMillis(300));
        try (Socket client = connect()) {
            assertEchoes(client, "after the storm");
        }
        long calls = io.calls(Call.ACCEPT) - callsBefore;
        assertTrue(io.injected(Call.ACCEPT) >= 2 && calls <= 20, calls + " accept calls, "
                + io.injected(Call.ACCEPT) + " of them failed");
    }

    /** As TcpListenerFaultTest's: wrong EAGAINs (re-armed) from every third read and write lose no byte. */
    @Test
    void spuriousEagainOnReadAndWriteLosesAndReordersNoByteOfAMebibyteEcho() throws Exception {
        start();
        byte[] sent = randomBytes(1 << 20);
        try (Socket client = connect()) {
            assertEchoes(client, "warm");
            io.failEvery(Call.READ, Errno.EAGAIN, 3, true).failEvery(Call.WRITE, Errno.EAGAIN, 3, true);
            byte[] back = echoThrough(client, sent);
            assertEquals(-1, firstDifference(sent, back), "echoed bytes differ from the sent ones");
        } finally {
            io.heal(Call.READ).heal(Call.WRITE);
        }
        assertTrue(io.injected(Call.READ) >= 4, io.injected(Call.READ) + " injected read EAGAINs");
        assertTrue(io.injected(Call.WRITE) >= 4, io.injected(Call.WRITE) + " injected write EAGAINs");
    }

    /**
     * As TcpListenerFaultTest's: ENOBUFS and ENOMEM storms and an EPROTO on accept pause the
     * listener (one back-off each), warn once per cause with what to do, and the client that
     * was waiting gets its echo.
     */
    @Test
    void enobufsAndEnomemStormsAndEprotoPauseAcceptingAndTheClientGetsItsEcho() throws Exception {
        captureWarnings("io.krill.net.TcpServer");
        start();
        io.storm(Call.ACCEPT, Errno.ENOBUFS, Duration.ofMillis(100))
                .storm(Call.ACCEPT, Errno.ENOMEM, Duration.ofMillis(100))
                .failNext(Call.ACCEPT, Errno.EPROTO, 1);
        try (Socket client = connect()) {
            assertEchoes(client, "after the faults");
        }
        long injected = io.injected(Call.ACCEPT);
        assertTrue(injected >= 3, injected + " injected accept failures");
        assertEquals(injected, server.engine.acceptBackoffs(), "one back-off per failed accept");
        for (String errno : List.of("ENOBUFS", "ENOMEM", "EPROTO")) {
            assertEquals(1, warningsMentioning(errno), "one warning naming " + errno + ": " + warnings);
        }
        assertTrue(warnings.stream().allMatch(w -> w.contains(server.localAddress().toString())), warnings.toString());
    }

    /**
     * epoll refuses an accepted descriptor (ENOSPC): it is closed (the peer reads end of stream,
     * no descriptor is left behind), the server backs off once and warns with what to do, and
     * serves the next client.
     */
    @Test
    void enospcFromEpollAddOnAnAcceptedDescriptorClosesItAndTheServerGoesOn() throws Exception {
        captureWarnings("io.krill.net.TcpServer");
        start();
        long socketsBefore = sockets(openDescriptors());
        io.failNext(Call.EPOLL_ADD, Errno.ENOSPC, 1);
        try (Socket refused = connect()) {
            assertEquals(-1, refused.getInputStream().read(), "the accepted end was closed");
            assertEquals(socketsBefore + 1, sockets(openDescriptors()), "only the client's socket more: " + openDescriptors());
        }
        assertEquals(1, io.injected(Call.EPOLL_ADD));
        try (Socket next = connect()) {
            assertEchoes(next, "next");
        }
        assertEquals(1, server.engine.acceptBackoffs());
        assertEquals(1, warningsMentioning("fs.epoll.max_user_watches"), warnings.toString());
    }
}
