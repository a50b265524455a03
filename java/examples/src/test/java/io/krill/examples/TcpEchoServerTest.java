package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.krill.Runtime;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The echo server against plain JDK sockets. */
@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@EnabledOnOs(OS.LINUX)
class TcpEchoServerTest {

    private static final int TIMEOUT_MILLIS = (int) (Output.WAIT_SECONDS * 1000);

    private static Socket connect(TcpEchoServer server) throws Exception {
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    @Test
    void echoesWhatEachConnectionSendsAndClosesAtItsEnd() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(2).build();
                TcpEchoServer server = TcpEchoServer.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Socket a = connect(server); Socket b = connect(server)) {
            a.getOutputStream().write("Hello".getBytes(StandardCharsets.UTF_8));
            b.getOutputStream().write("other".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("Hello".getBytes(StandardCharsets.UTF_8), a.getInputStream().readNBytes(5));
            assertArrayEquals("other".getBytes(StandardCharsets.UTF_8), b.getInputStream().readNBytes(5));

            byte[] big = new byte[10 * TcpEchoServer.BUFFER_BYTES + 7]; // many reads of the 1024-byte buffer
            new Random(15).nextBytes(big);
            a.getOutputStream().write(big);
            assertArrayEquals(big, a.getInputStream().readNBytes(big.length));

            a.shutdownOutput(); // end of stream: the server's loop returns and closes the socket
            InputStream in = a.getInputStream();
            assertEquals(-1, in.read());
            b.getOutputStream().write('x'); // the other connection is its own task, still there
            assertEquals('x', b.getInputStream().read());
        }
    }
}
