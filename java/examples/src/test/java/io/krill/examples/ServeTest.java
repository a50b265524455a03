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
import java.util.List;
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
            // The stop line's figures (#19): every request above took reads and writes on a worker.
            String summary = server.ioSummary();
            assertTrue(summary.startsWith("backend jni, "), summary);
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("([\\d,]+) native calls for ([\\d,]+) I/O events \\(([\\d.]+) per event\\)").matcher(summary);
            assertTrue(m.find(), summary);
            long calls = Long.parseLong(m.group(1).replace(",", ""));
            long events = Long.parseLong(m.group(2).replace(",", ""));
            assertTrue(events > 0 && calls >= 2L * (twoRequests.length - 1), summary);
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
    void httpIdleConnectionsHoldNoRequestBuffer() throws Exception {
        try (Serve server = Serve.start("http", 0, 2)) {
            java.util.List<Socket> sockets = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    sockets.add(socket);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(REQUEST);
                    assertArrayEquals(Serve.RESPONSE, readExactly(socket.getInputStream(), Serve.RESPONSE.length));
                }
                // Sequential requests on two workers: at most one loan per worker at a time.
                assertTrue(server.requestBuffersMade() <= 2, "100 idle connections, " + server.requestBuffersMade()
                        + " request buffers made");
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void httpAnswersAHeadDrippedOneByteAtATimeAndRefusesAnOversizedOneWith431() throws Exception {
        try (Serve server = Serve.start("http", 0, 1)) {
            byte[] head = ("GET / HTTP/1.1\r\nHost: krill\r\nX-Filler: " + "f".repeat(2_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                for (int request = 0; request < 2; request++) { // each byte its own read: the partial request is kept
                    for (byte b : REQUEST) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(2);
                    }
                    assertArrayEquals(Serve.RESPONSE, readExactly(socket.getInputStream(), Serve.RESPONSE.length),
                            "request " + request + " dripped with pauses");
                }
                for (byte b : head) {
                    out.write(b);
                    out.flush();
                }
                assertArrayEquals(Serve.RESPONSE, readExactly(socket.getInputStream(), Serve.RESPONSE.length));
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.setSoTimeout(10_000);
                byte[] huge = ("GET / HTTP/1.1\r\nX-Filler: " + "f".repeat(Serve.MAX_HEAD_BYTES) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                socket.getOutputStream().write(huge);
                InputStream in = socket.getInputStream();
                assertArrayEquals(Serve.HEAD_TOO_LARGE, readExactly(in, Serve.HEAD_TOO_LARGE.length));
                assertEquals(-1, in.read(), "closed after the 431");
            }
            assertTrue(server.requestBuffersMade() <= 1, server.requestBuffersMade() + " request buffers made");
        }
    }

    @Test
    void httpRefusesAnOversizedHeadThatArrivesWholeInOneRead() throws Exception {
        // Found by HeadScannerFuzzTest: only a partial head was checked against the limit, so an
        // oversized head that one read brought whole was answered 200.
        try (Serve server = Serve.start("http", 0, 1);
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            byte[] whole = ("GET / HTTP/1.1\r\nX-Filler: " + "f".repeat(Serve.MAX_HEAD_BYTES) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            assertTrue(whole.length < Serve.REQUEST_BUFFER_BYTES, "fits one read");
            socket.getOutputStream().write(whole);
            InputStream in = socket.getInputStream();
            assertArrayEquals(Serve.HEAD_TOO_LARGE, readExactly(in, Serve.HEAD_TOO_LARGE.length));
            assertEquals(-1, in.read(), "closed after the 431");
        }
    }

    @Test
    void httpClosesAnIncompleteHeadAfterTheHeadTimeoutAndAnIdleConnectionAfterTheIdleTimeout() throws Exception {
        Serve.Limits limits = new Serve.Limits(java.time.Duration.ofMillis(600), java.time.Duration.ofMillis(200));
        try (Serve server = Serve.start("http", 0, 2, limits);
             Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port());
             Socket idle = new Socket(InetAddress.getLoopbackAddress(), server.port());
             Socket busy = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            for (Socket socket : new Socket[] {slow, idle, busy}) {
                socket.setSoTimeout(10_000);
            }
            long start = System.nanoTime();
            slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: kr".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, slow.getInputStream().read(), "a head still incomplete after its timeout is closed");
            long slowMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(slowMillis >= 150, "closed after " + slowMillis + " ms, before the 200 ms head timeout");
            // A client that keeps asking is not idle, however long it stays.
            for (int i = 0; i < 8; i++) {
                busy.getOutputStream().write(REQUEST);
                assertArrayEquals(Serve.RESPONSE, readExactly(busy.getInputStream(), Serve.RESPONSE.length));
                Thread.sleep(150);
            }
            assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed after the idle timeout");
            long idleMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(idleMillis >= 550, "closed after " + idleMillis + " ms, before the 600 ms idle timeout");
            busy.getOutputStream().write(REQUEST);
            assertArrayEquals(Serve.RESPONSE, readExactly(busy.getInputStream(), Serve.RESPONSE.length),
                    "the busy connection outlived the idle timeout");
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

    @Test
    void echoVthreadEchoesEveryByte() throws Exception {
        echoesEveryByte("echo-vthread");
    }

    /** #15: a virtual thread per connection; each connection is its own, and an idle one holds no buffer. */
    @Test
    void echoVthreadServesConnectionsSideBySideWithoutABufferEach() throws Exception {
        try (Serve server = Serve.start("echo-vthread", 0, 1)) {
            List<Socket> idle = new java.util.ArrayList<>();
            try (Socket busy = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                busy.setSoTimeout(10_000);
                for (int i = 0; i < 50; i++) {
                    idle.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
                }
                for (int round = 0; round < 10; round++) {
                    busy.getOutputStream().write(round);
                    assertEquals(round, busy.getInputStream().read(), "echoed while 50 others are parked");
                }
                assertEquals(1, server.sharedEchoBuffersMade(), "one buffer lent at a time, not one per connection");
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
        }
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
