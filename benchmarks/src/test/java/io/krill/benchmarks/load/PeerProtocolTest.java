package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peers written here (#17, #19) speak ci/serve's protocols byte for byte: the C limit peer,
 * the JDK NIO one and the virtual-thread one. A peer that answered wrongly, or dropped a short
 * write's rest, would make every ratio against it meaningless.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"c", "nio", "vthreads"})
class PeerProtocolTest {

    @Parameter
    String peer;

    private static final Path PEER = Path.of("target/c/krill_c_peer");
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);

    private record Peer(Process process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy(); // SIGTERM
            try {
                assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the peer stops on SIGTERM");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new AssertionError("interrupted while the peer stopped", e);
            }
            assertTrue(process.exitValue() == 0 || process.exitValue() == 143, "and exits 0 (C) or as a JVM does on SIGTERM: "
                    + process.exitValue());
        }
    }

    private List<String> command(String mode) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        return switch (peer) {
            case "c" -> {
                assertTrue(Files.isExecutable(PEER), "built by the compile phase: " + PEER.toAbsolutePath());
                yield List.of(PEER.toString(), mode, "0", "2");
            }
            case "nio" -> List.of(java, "-cp", classPath, "io.krill.benchmarks.peers.NioServe", mode, "0", "2");
            case "vthreads" -> List.of(java, "-Djdk.virtualThreadScheduler.parallelism=2", "-cp", classPath,
                    "io.krill.benchmarks.peers.VirtualThreadServe", mode, "0", "2");
            default -> throw new IllegalArgumentException(peer);
        };
    }

    private Peer start(String mode) throws IOException {
        Process process = new ProcessBuilder(command(mode)).redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        Matcher m = Pattern.compile("^" + peer + " " + mode + " server on 127\\.0\\.0\\.1:(\\d+) with 2 .*$").matcher(String.valueOf(line));
        assertTrue(m.matches(), "announces its port as the other servers do: " + line);
        return new Peer(process, Integer.parseInt(m.group(1)));
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        assertEquals(length, bytes.length, "the connection ended early");
        return bytes;
    }

    @Test
    void httpAnswersEveryPipelinedRequestSplitAtAnyByte() throws Exception {
        try (Peer peer = start("http")) {
            byte[] three = new byte[REQUEST.length * 3];
            byte[] answers = new byte[RESPONSE.length * 3];
            for (int i = 0; i < 3; i++) {
                System.arraycopy(REQUEST, 0, three, i * REQUEST.length, REQUEST.length);
                System.arraycopy(RESPONSE, 0, answers, i * RESPONSE.length, RESPONSE.length);
            }
            for (int split = 1; split < three.length; split += 7) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), peer.port())) {
                    socket.setSoTimeout(10_000);
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    out.write(three, 0, split);
                    out.flush();
                    out.write(three, split, three.length - split);
                    assertArrayEquals(answers, readExactly(socket.getInputStream(), answers.length), "split at " + split);
                }
            }
        }
    }

    @Test
    void echoReturnsEightMegabytesWhileThePeerReadsLate() throws Exception {
        try (Peer peer = start("echo"); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024); // a small window: the peer's sends back fill up sooner
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), peer.port()));
            socket.setSoTimeout(30_000);
            byte[] payload = new byte[8 << 20]; // more than both socket buffers: short writes, the backlog, then EPOLLOUT
            new Random(19).nextBytes(payload);
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int at = 0; at < payload.length; at += 64 * 1024) {
                        out.write(payload, at, Math.min(64 * 1024, payload.length - at));
                        written.set(at + 64 * 1024L);
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // Read nothing until half a megabyte went in: with our 64 KiB window the peer could
            // send little of it back, so it queued the rest (its backlog path) and stopped reading.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (written.get() < (512 << 10) && writer.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertArrayEquals(payload, readExactly(socket.getInputStream(), payload.length));
            writer.join(30_000);
            assertEquals(-1, socket.getInputStream().read(), "the peer closes after our FIN");
        }
    }
}
