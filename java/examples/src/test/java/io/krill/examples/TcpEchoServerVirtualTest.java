package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The blocking-style echo server against plain JDK sockets: a virtual thread per connection. */
@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@EnabledOnOs(OS.LINUX)
class TcpEchoServerVirtualTest {

    private static final int TIMEOUT_MILLIS = (int) (Output.WAIT_SECONDS * 1000);

    private static Socket connect(TcpEchoServerVirtual server) throws Exception {
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    @Test
    void echoesWhatEachConnectionSendsAndClosesAtItsEnd() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            echoAndEnd(runtime);
            // The accept loop ended with close(); b's thread ended with b's close: nothing is left running.
            assertTrue(runtime.shutdown(Duration.ofSeconds(Output.WAIT_SECONDS)), "every virtual thread ended by itself");
        }
    }

    private static void echoAndEnd(Runtime runtime) throws Exception {
        try (TcpEchoServerVirtual server = TcpEchoServerVirtual.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Socket a = connect(server); Socket b = connect(server)) {
            a.getOutputStream().write("Hello".getBytes(StandardCharsets.UTF_8));
            b.getOutputStream().write("other".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("Hello".getBytes(StandardCharsets.UTF_8), a.getInputStream().readNBytes(5));
            assertArrayEquals("other".getBytes(StandardCharsets.UTF_8), b.getInputStream().readNBytes(5));

            byte[] big = new byte[10 * TcpEchoServerVirtual.BUFFER_BYTES + 7]; // many reads of the 1024-byte buffer
            new Random(15).nextBytes(big);
            a.getOutputStream().write(big);
            assertArrayEquals(big, a.getInputStream().readNBytes(big.length));

            a.shutdownOutput(); // end of stream: the connection's thread returns and closes the socket
            assertEquals(-1, a.getInputStream().read());
            b.getOutputStream().write('x'); // the other connection is its own virtual thread, still there
            assertEquals('x', b.getInputStream().read());
        }
    }
}
