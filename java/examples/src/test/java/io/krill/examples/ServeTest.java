package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The ci/serve servers, driven by plain blocking JDK sockets on loopback. */
@EnabledOnOs(OS.LINUX)
class ServeTest {

    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: krill\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        assertEquals(length, bytes.length, "the server closed early");
        return bytes;
    }

    @Test
    void httpAnswersPipelinedRequestsInOrderSplitAtEveryByte() throws Exception {
        try (Serve server = Serve.start("http", 0, 2)) {
            byte[] twoRequests = new byte[REQUEST.length * 2];
            System.arraycopy(REQUEST, 0, twoRequests, 0, REQUEST.length);
            System.arraycopy(REQUEST, 0, twoRequests, REQUEST.length, REQUEST.length);
            byte[] twoResponses = new byte[Serve.RESPONSE.length * 2];
            System.arraycopy(Serve.RESPONSE, 0, twoResponses, 0, Serve.RESPONSE.length);
            System.arraycopy(Serve.RESPONSE, 0, twoResponses, Serve.RESPONSE.length, Serve.RESPONSE.length);
            for (int split = 1; split < twoRequests.length; split++) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(twoRequests, 0, split);
                    out.flush();
                    out.write(twoRequests, split, twoRequests.length - split);
                    out.flush();
                    assertArrayEquals(twoResponses, readExactly(socket.getInputStream(), twoResponses.length),
                            "split at byte " + split);
                }
            }
        }
    }

    @Test
    void httpKeepsAliveAcrossManyPipelinedRequests() throws Exception {
        try (Serve server = Serve.start("http", 0, 2);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            int count = 1_000;
            byte[] burst = new byte[REQUEST.length * count];
            for (int i = 0; i < count; i++) {
                System.arraycopy(REQUEST, 0, burst, i * REQUEST.length, REQUEST.length);
            }
            socket.getOutputStream().write(burst);
            byte[] responses = readExactly(socket.getInputStream(), Serve.RESPONSE.length * count);
            for (int i = 0; i < count; i++) {
                assertArrayEquals(Serve.RESPONSE, Arrays.copyOfRange(responses, i * Serve.RESPONSE.length,
                        (i + 1) * Serve.RESPONSE.length), "response " + i);
            }
        }
    }

    @Test
    void echoTaskEchoesEveryByte() throws Exception {
        echoesEveryByte("echo-task");
    }

    @Test
    void echoEchoesEveryByte() throws Exception {
        echoesEveryByte("echo");
    }

    private static void echoesEveryByte(String mode) throws Exception {
        try (Serve server = Serve.start(mode, 0, 2);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            byte[] data = new byte[256 * 1024];
            new Random(7).nextBytes(data);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    socket.getOutputStream().write(data);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] echoed = socket.getInputStream().readAllBytes();
            writer.join();
            assertArrayEquals(data, echoed);
        }
    }

    @Test
    void unknownModesAndBadNumbersAreRefusedWithTheReason() {
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> Serve.start("gopher", 0, 1));
        assertTrue(other.getMessage().contains("unknown mode 'gopher'"), other.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Serve.start("http", 70_000, 1));
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class, () -> Serve.start("echo", 0, 0));
        assertTrue(threads.getMessage().contains("threads"), threads.getMessage());
    }
}
