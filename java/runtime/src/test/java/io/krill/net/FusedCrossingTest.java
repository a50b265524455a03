package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.Errno;
import io.krill.internal.reactor.FaultyNativeIo.Call;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The handler API's fused crossing (#19): a driver step makes its connections' reads in one
 * native call and sends their small writes in one more ({@code ShardDriver}'s notes). These
 * tests check that it does, and that the batching changes nothing a handler can see: bytes in
 * order, writes before a close or a half-close, failures to onClose. They run on both paths:
 * {@code -Dkrill.fusedCrossing=false} (the simple path, a surefire execution of its own) asserts
 * that no batch is made.
 */
@EnabledOnOs(OS.LINUX)
class FusedCrossingTest extends FaultFixture {

    private static final boolean FUSED = Boolean.parseBoolean(System.getProperty("krill.fusedCrossing", "true"));
    private static final ConnectionHandler ECHO = (connection, data) -> connection.write(data);

    private TcpServer server;

    @AfterEach
    void closeServer() throws InterruptedException {
        if (server != null) {
            assertTrue(server.close(Duration.ofSeconds(10)), "server closed in time");
        }
    }

    private void start(ConnectionHandler handler) {
        server = runtime.blockOn(() -> TcpServer.bind(loopback(0), handler));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        assertEquals(n, bytes.length, "bytes before the end of stream");
        return bytes;
    }

    /**
     * 24 connections trading 64-byte messages: on the fused path every read and every send is an
     * operation of a batch (none is a call of its own), and batches hold more than one; on the
     * simple path no batch is made.
     */
    @Test
    void smallReadsAndWritesAreOperationsOfBatches() throws Exception {
        start(ECHO);
        int connections = 24;
        int rounds = 50;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                sockets.add(connect());
            }
            long readsBefore = io.calls(Call.READ) - io.batched(Call.READ);
            long writesBefore = io.calls(Call.WRITE) - io.batched(Call.WRITE);
            byte[] message = new byte[64];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < connections; i++) { // all sent before any is read back: steps see many ready
                    Arrays.fill(message, (byte) (i + round));
                    sockets.get(i).getOutputStream().write(message);
                }
                for (int i = 0; i < connections; i++) {
                    Arrays.fill(message, (byte) (i + round));
                    assertArrayEquals(message, readExactly(sockets.get(i).getInputStream(), 64), "round " + round + ", connection " + i);
                }
            }
            long directReads = io.calls(Call.READ) - io.batched(Call.READ) - readsBefore;
            long directWrites = io.calls(Call.WRITE) - io.batched(Call.WRITE) - writesBefore;
            if (FUSED) {
                assertEquals(0, directReads, "reads made one call each");
                assertEquals(0, directWrites, "sends made one call each");
                long reads = io.batched(Call.READ);
                long batches = io.calls(Call.READ_BATCH);
                assertTrue(reads >= (long) connections * rounds, reads + " reads in batches");
                assertTrue(batches < reads, batches + " read batches for " + reads + " reads: one each");
                assertTrue(io.calls(Call.WRITE_BATCH) < io.batched(Call.WRITE),
                        io.calls(Call.WRITE_BATCH) + " send batches for " + io.batched(Call.WRITE) + " sends");
            } else {
                assertEquals(0, io.calls(Call.READ_BATCH) + io.calls(Call.WRITE_BATCH), "batches on the simple path");
                assertTrue(directReads >= (long) connections * rounds, directReads + " reads");
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * More connections than a batch has reads, each sending 40 KiB at once (five times a batch
     * region): every byte comes back in order, through full batches, reads that go on past their
     * region, and writes that join staged bytes or send them first.
     */
    @Test
    void manyConnectionsWithMessagesLargerThanARegionEchoIntactAndInOrder() throws Exception {
        start(ECHO);
        int connections = 48;
        List<Socket> sockets = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = connect();
                sockets.add(socket);
                byte[] bytes = randomBytes(40 * 1024);
                sent.add(bytes);
                echoes.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return readExactly(socket.getInputStream(), bytes.length);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < connections; i++) {
                sockets.get(i).getOutputStream().write(sent.get(i));
            }
            for (int i = 0; i < connections; i++) {
                byte[] back = echoes.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(-1, firstDifference(sent.get(i), back), "connection " + i + "'s echo differs");
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * Connections that stream 4 MiB each while the server echoes: new edges keep arriving for a
     * connection whose read is already queued in the batch, and a read that fills its region goes
     * on in the big buffer, so a second read of the same connection in one batch would hand its
     * bytes over out of order (a batch runs before the next list is taken, so none has two).
     * Every echo matches.
     */
    @Test
    void streamingConnectionsEchoInOrderWhileNewEdgesArrive() throws Exception {
        // A slow handler makes long steps, and the runtime's other worker polls this shard's events
        // meanwhile (it rescues a busy worker's shard): edges for queued reads arrive mid-step.
        start((connection, data) -> {
            long until = System.nanoTime() + 50_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            connection.write(data);
        });
        int connections = 4;
        List<Socket> sockets = new ArrayList<>();
        List<CompletableFuture<Integer>> checks = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = connect();
                sockets.add(socket);
                byte[] bytes = randomBytes(4 << 20);
                CompletableFuture.runAsync(() -> {
                    try {
                        java.io.OutputStream out = socket.getOutputStream();
                        for (int at = 0; at < bytes.length; at += 1500) { // many small sends: many edges
                            out.write(bytes, at, Math.min(1500, bytes.length - at));
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                checks.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return firstDifference(bytes, readExactly(socket.getInputStream(), bytes.length));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < connections; i++) {
                assertEquals(-1, checks.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS), "connection " + i + "'s echo differs at");
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /**
     * One callback writes a short piece (staged), a long one (too long to stage: the short one
     * must leave first), and a short one again: the peer reads them in that order.
     */
    @Test
    void aWriteThatCannotJoinTheStagedBytesLeavesAfterThem() throws Exception {
        byte[] longPiece = new byte[20 * 1024];
        Arrays.fill(longPiece, (byte) 'b');
        MemorySegment longSegment = Arena.global().allocate(longPiece.length);
        MemorySegment.copy(MemorySegment.ofArray(longPiece), 0, longSegment, 0, longPiece.length);
        start((connection, data) -> {
            connection.write(MemorySegment.ofArray("first:".getBytes(StandardCharsets.US_ASCII)));
            connection.write(longSegment);
            connection.write(MemorySegment.ofArray(":last".getBytes(StandardCharsets.US_ASCII)));
        });
        try (Socket client = connect()) {
            for (int round = 0; round < 3; round++) {
                client.getOutputStream().write('x');
                InputStream in = client.getInputStream();
                assertEquals("first:", new String(readExactly(in, 6), StandardCharsets.US_ASCII), "round " + round);
                assertArrayEquals(longPiece, readExactly(in, longPiece.length), "round " + round);
                assertEquals(":last", new String(readExactly(in, 5), StandardCharsets.US_ASCII), "round " + round);
            }
        }
    }

    /** Bytes written just before a close, or a half-close, reach the peer before its end of stream. */
    @Test
    void bytesWrittenBeforeACloseOrAHalfCloseArriveBeforeTheEnd() throws Exception {
        start((connection, data) -> {
            byte command = data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
            connection.write(MemorySegment.ofArray("bye\n".getBytes(StandardCharsets.US_ASCII)));
            if (command == 'c') {
                connection.close();
            } else {
                connection.shutdownOutput();
            }
        });
        for (char command : new char[] {'c', 's'}) {
            try (Socket client = connect()) {
                client.getOutputStream().write(command);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                client.getInputStream().transferTo(got); // to the end of stream
                assertEquals("bye\n", got.toString(StandardCharsets.US_ASCII), "after command " + command);
            }
        }
    }

    /**
     * A batch of reads that fails as a whole fails each of its connections, with the error as
     * onClose's cause, and the server goes on serving; a staged send that fails does the same.
     */
    @Test
    void aFailedBatchOrAFailedStagedSendClosesItsConnectionsWithTheError() throws Exception {
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        start(new ConnectionHandler() {
            @Override
            public void onData(Connection connection, MemorySegment data) {
                connection.write(data);
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                causes.add(cause == null ? new AssertionError("closed without a cause") : cause);
            }
        });
        Call failing = FUSED ? Call.READ_BATCH : Call.READ;
        try (Socket client = connect()) {
            assertEchoes(client, "before");
            io.failNext(failing, Errno.ECONNRESET, 1);
            client.getOutputStream().write('x');
            assertEquals(-1, readOrEnd(client), "the connection whose read failed is closed");
        }
        awaitCauses(causes, 1);
        assertInstanceOf(IOException.class, causes.get(0));
        assertTrue(causes.get(0).getMessage().contains("ECONNRESET"), causes.get(0).getMessage());

        try (Socket client = connect()) {
            assertEchoes(client, "served after the failure");
            io.failNext(Call.WRITE, Errno.EPIPE, 1); // the echo's send: an operation of the staged batch when fused
            client.getOutputStream().write('y');
            assertEquals(-1, readOrEnd(client), "the connection whose send failed is closed");
        }
        awaitCauses(causes, 2);
        assertInstanceOf(IOException.class, causes.get(1));
        assertTrue(causes.get(1).getMessage().contains("EPIPE"), causes.get(1).getMessage());
        if (FUSED) {
            assertTrue(io.batched(Call.WRITE) > 0, "the failed send was an operation of a batch");
        }
    }


    /** The next byte, or -1 at end of stream (or a reset, which is how a close with unread bytes may end). */
    private static int readOrEnd(Socket client) throws IOException {
        try {
            return client.getInputStream().read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }

    private static void awaitCauses(List<Throwable> causes, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (causes.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(count, causes.size(), "onClose calls: " + causes);
    }
}
