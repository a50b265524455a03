package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Public methods no other test reached, each called and its effect checked on a real loopback
 * connection: a stream's single write, the line reader's own buffer and charset and its
 * default limit, the handler API's default watermarks, close and reusePort. (The halves' own
 * methods are TcpStreamTest's.)
 */
@EnabledOnOs(OS.LINUX)
class SurfaceTest extends LoopbackFixture {

    private MemorySegment ascii(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment segment = arena.allocate(bytes.length);
        segment.copyFrom(MemorySegment.ofArray(bytes));
        return segment;
    }

    private static String text(MemorySegment segment, int n) {
        return new String(segment.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    private static String readPeer(InputStream in, int n) throws Exception {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aStreamsSingleWriteSendsWhatItCounts() throws Exception {
        try (Peered p = connectToPlainSocket()) {
            int n = runtime.blockOn(() -> p.stream().write(ascii("hello"))).join(WAIT);
            assertTrue(n >= 1 && n <= 5, "one write: some of the bytes, counted: " + n);
            assertEquals("hello".substring(0, n), readPeer(p.peer().getInputStream(), n));
        }
    }

    @Test
    void aLineReaderOnItsOwnBufferDecodesItsCharsetAndHoldsItsLimit() throws Exception {
        try (Peered p = connectToPlainSocket()) {
            LineReader lines = p.stream().lines(arena.allocate(16), StandardCharsets.ISO_8859_1);
            assertEquals(16, lines.maxLineBytes(), "the buffer given is the limit");
            OutputStream peer = p.peer().getOutputStream();
            peer.write(new byte[] {(byte) 0xE9, 't', (byte) 0xE9, '\n'}); // "été" in Latin-1, not UTF-8
            assertEquals("\u00e9t\u00e9", runtime.blockOn(() -> lines.nextLine()).join(WAIT));
            peer.write("0123456789abcdefXYZ\n".getBytes(StandardCharsets.ISO_8859_1));
            Throwable tooLong = failureOf(runtime.blockOn(() -> lines.nextLine()));
            assertInstanceOf(LineTooLongException.class, tooLong);
        }
    }

    @Test
    void theDefaultLineLimitIsEightKibibytes() throws Exception {
        try (Peered p = connectToPlainSocket()) {
            LineReader lines = p.stream().lines();
            assertEquals(8 * 1024, lines.maxLineBytes());
            assertEquals(LineReader.DEFAULT_MAX_LINE_BYTES, lines.maxLineBytes());
            byte[] longest = new byte[8 * 1024];
            java.util.Arrays.fill(longest, (byte) 'a');
            longest[longest.length - 1] = '\n';
            OutputStream peer = p.peer().getOutputStream();
            peer.write(longest);
            assertEquals(8 * 1024 - 1, runtime.blockOn(() -> lines.nextLine()).join(WAIT).length(), "a line that fills the buffer fits");
            byte[] tooLong = new byte[8 * 1024 + 1];
            java.util.Arrays.fill(tooLong, (byte) 'b');
            peer.write(tooLong);
            assertInstanceOf(LineTooLongException.class, failureOf(runtime.blockOn(() -> lines.nextLine())));
        }
    }

    private static Throwable failureOf(Task<?> task) throws Exception {
        try {
            task.join(WAIT);
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError(task + " did not fail");
    }

    @Test
    void serversWithReusePortShareAPortThatIsOtherwiseTaken() throws Exception {
        ConnectionHandler echo = (connection, data) -> connection.write(data);
        TcpServer first = runtime.blockOn(() -> TcpServer.builder(echo).reusePort(true).backlog(16).bind(loopback(0)));
        try {
            InetSocketAddress taken = first.localAddress();
            assertInstanceOf(AddressInUseException.class, failureOfCall(() -> runtime.blockOn(() -> TcpServer.bind(taken, echo))),
                    "without reusePort the port is taken");
            TcpServer second = runtime.blockOn(() -> TcpServer.builder(echo).reusePort(true).bind(taken));
            try {
                assertEquals(taken.getPort(), second.localAddress().getPort());
                try (Socket client = new Socket(taken.getAddress(), taken.getPort())) {
                    client.getOutputStream().write('x');
                    assertEquals('x', client.getInputStream().read(), "one of the two serves it");
                }
            } finally {
                second.close();
                second.closed().join(WAIT);
            }
        } finally {
            first.close();
            first.closed().join(WAIT);
        }
    }

    private static Throwable failureOfCall(java.util.concurrent.Callable<?> call) {
        try {
            call.call();
        } catch (Exception e) {
            return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        }
        throw new AssertionError("no failure");
    }

    /**
     * Netty's defaults: writes stop being accepted as writable once 64 KiB are queued, and
     * onWritable comes once the queue is down to 32 KiB. The peer reads nothing at first, so
     * the kernel's buffers fill and the server's own queue grows.
     */
    @Test
    void theDefaultWatermarksAre64And32KibibytesAndCloseEndsTheServer() throws Exception {
        int chunk = 8 * 1024;
        CompletableFuture<int[]> unwritable = new CompletableFuture<>(); // {queued before the last write, queued after}
        CompletableFuture<Integer> writableAgain = new CompletableFuture<>();
        AtomicInteger written = new AtomicInteger();
        TcpServer server = runtime.blockOn(() -> TcpServer.bind(loopback(0), new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                MemorySegment block = MemorySegment.ofArray(new byte[chunk]);
                while (written.get() < 256 * 1024 * 1024) {
                    int before = connection.queuedBytes();
                    connection.write(block);
                    written.addAndGet(chunk);
                    if (!connection.isWritable()) {
                        unwritable.complete(new int[] {before, connection.queuedBytes()});
                        return;
                    }
                }
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}

            @Override
            public void onWritable(Connection connection) {
                writableAgain.complete(connection.isWritable() ? connection.queuedBytes() : -1);
            }
        }));
        try (Socket client = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
            int[] queued = unwritable.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(queued[0] < 64 * 1024, "writable until the queue reached 64 KiB: " + queued[0] + " queued before");
            assertTrue(queued[1] >= 64 * 1024, "unwritable once it had: " + queued[1]);
            InputStream in = client.getInputStream();
            long read = 0;
            byte[] sink = new byte[64 * 1024];
            while (!writableAgain.isDone() && read < written.get()) {
                int n = in.read(sink);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            int atWritable = writableAgain.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(atWritable >= 0 && atWritable <= 32 * 1024, "onWritable once the queue fell to 32 KiB: " + atWritable);
            server.close();
            server.closed().join(WAIT);
            assertEquals(0, server.connections());
            client.setSoTimeout((int) WAIT.toMillis()); // a close that never came fails here, not hangs
            long rest = 0;
            for (int n; (n = in.read(sink)) >= 0; ) {
                rest += n; // what was in flight before the close
            }
            assertTrue(read + rest <= written.get(), "the end of stream came, after no more than was written: "
                    + (read + rest) + " of " + written.get());
        }
    }
}
