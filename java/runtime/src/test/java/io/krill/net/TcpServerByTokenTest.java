package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.executor.WorkerThread;
import io.krill.internal.reactor.ConnectionTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writes, closes and actions by token from threads that are not the connection's worker: they
 * go through the shard's submission ring (4 slots here, to reach "full"), keep each submitter's
 * order, answer BACKPRESSURE instead of queueing without bound, and never touch a closed
 * connection's slot or another server's.
 */
class TcpServerByTokenTest extends LoopbackFixture {

    private static final long WAIT_SECONDS = WAIT.toSeconds();

    private final List<TcpServer> servers = new ArrayList<>();
    /** Tokens of accepted connections, in accept order (onOpen). */
    private final BlockingQueue<Long> opened = new ArrayBlockingQueue<>(64);
    /** onClose causes, as "closed" or the cause's class (null causes are not allowed in the queue). */
    private final BlockingQueue<String> closed = new ArrayBlockingQueue<>(64);

    /** Records opens and closes; reads are ignored (the tests write by token). */
    private final ConnectionHandler recorder = new ConnectionHandler() {
        @Override
        public void onOpen(Connection connection) {
            opened.add(connection.token());
        }

        @Override
        public void onData(Connection connection, MemorySegment data) {}

        @Override
        public void onClose(Connection connection, Throwable cause) {
            closed.add(cause == null ? "closed" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    };

    @AfterEach
    void closeServers() throws InterruptedException {
        for (TcpServer server : servers) {
            assertTrue(server.close(WAIT), "server closed in time");
        }
    }

    private TcpServer start(TcpServer.Builder builder) {
        TcpServer server = runtime.blockOn(() -> builder.bind(loopback(0)));
        servers.add(server);
        return server;
    }

    private static Socket connect(TcpServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return socket;
    }

    private long nextToken() throws InterruptedException {
        Long token = opened.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(token != null, "no connection opened");
        return token;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in time");
            Thread.sleep(5);
        }
    }

    @Test
    void writesFromManyThreadsArriveWholeAndInEachThreadsOrder() throws Exception {
        TcpServer server = start(TcpServer.builder(recorder).submissionQueueCapacity(4));
        int clients = 4;
        int producers = 4;
        int perProducer = 2_000;
        List<Socket> sockets = new ArrayList<>();
        long[] tokens = new long[clients];
        try {
            for (int c = 0; c < clients; c++) {
                sockets.add(connect(server));
                tokens[c] = nextToken();
            }
            AtomicInteger backpressure = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        for (long token : tokens) {
                            byte[] line = ascii(producer + ":" + i + "\n");
                            SendResult result;
                            while ((result = server.write(token, line)) == SendResult.BACKPRESSURE) {
                                backpressure.incrementAndGet();
                                Thread.onSpinWait();
                            }
                            if (result != SendResult.SUBMITTED) {
                                throw new AssertionError("write to an open connection: " + result);
                            }
                        }
                    }
                }));
            }
            List<CompletableFuture<String>> checks = new ArrayList<>();
            for (Socket socket : sockets) {
                checks.add(CompletableFuture.supplyAsync(() -> checkOrder(socket, producers, perProducer)));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (CompletableFuture<String> check : checks) {
                assertEquals("ok", check.get(WAIT_SECONDS, TimeUnit.SECONDS));
            }
            assertTrue(backpressure.get() > 0, "a ring of 4 under 4 producers must have been full at times");
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Reads every producer's lines; "ok" when each producer's numbers came 0, 1, 2 … with none missing. */
    private static String checkOrder(Socket socket, int producers, int perProducer) {
        int[] next = new int[producers];
        int lines = 0;
        try {
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            while (lines < producers * perProducer) {
                int b = in.read();
                if (b < 0) {
                    return "end of stream after " + lines + " lines";
                }
                if (b != '\n') {
                    line.append((char) b);
                    continue;
                }
                String[] parts = line.toString().split(":");
                int producer = Integer.parseInt(parts[0]);
                int number = Integer.parseInt(parts[1]);
                if (number != next[producer]) {
                    return "producer " + producer + ": got " + number + ", expected " + next[producer];
                }
                next[producer]++;
                lines++;
                line.setLength(0);
            }
            return "ok";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aStaleTokenIsRefusedAndNeverReachesTheSlotsNextUser() throws Exception {
        TcpServer server = start(TcpServer.builder(recorder));
        Socket client = connect(server);
        long first = nextToken();
        client.close();
        assertEquals("closed", closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        waitFor(() -> !server.isOpen(first));
        // New connections take freed slots (LIFO; a slot closed while queued is freed once its
        // driver popped it): open until one takes the old slot, then aim the stale token at it.
        List<Socket> sockets = new ArrayList<>();
        try {
            Socket socket = null;
            long second = 0;
            boolean reused = false;
            for (int i = 0; i < 8 && !reused; i++) {
                socket = connect(server);
                sockets.add(socket);
                second = nextToken();
                reused = ConnectionTable.indexOfToken(second) == ConnectionTable.indexOfToken(first);
            }
            assertTrue(reused, "the closed connection's slot serves one of the next eight");
            assertEquals(SendResult.CLOSED, server.write(first, ascii("stale")));
            assertEquals(SendResult.CLOSED, server.closeConnection(first));
            assertEquals(SendResult.CLOSED, server.execute(first, c -> c.close()));
            assertEquals(SendResult.SUBMITTED, server.write(second, ascii("fresh")));
            assertArrayEquals(ascii("fresh"), socket.getInputStream().readNBytes(5), "only the new user's bytes");
            assertTrue(server.isOpen(second), "the stale close did not close the new user");
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void writesRacingACloseNeverReachTheSlotsNextUser() throws Exception {
        TcpServer server = start(TcpServer.builder(recorder).submissionQueueCapacity(4));
        int reused = 0;
        for (int round = 0; round < 50; round++) {
            Socket old = connect(server);
            long oldToken = nextToken();
            String oldLine = "old " + round + "\n";
            // A producer writes to the old connection until its token turns stale.
            Thread producer = Thread.ofPlatform().start(() -> {
                while (server.write(oldToken, ascii(oldLine)) != SendResult.CLOSED) {
                    Thread.onSpinWait();
                }
            });
            Thread.sleep(1);
            old.close();
            String why = closed.poll(WAIT_SECONDS, TimeUnit.SECONDS); // FIN, or EPIPE/RST while the producer writes
            assertTrue(why != null && (why.equals("closed") || why.startsWith("BrokenPipe") || why.startsWith("ConnectionReset")),
                    "the old connection closed: " + why);
            try (Socket fresh = connect(server)) {
                long freshToken = nextToken();
                if (ConnectionTable.indexOfToken(freshToken) == ConnectionTable.indexOfToken(oldToken)) {
                    reused++;
                }
                String freshLine = "fresh " + round + "\n";
                for (int i = 0; i < 20; i++) {
                    while (server.write(freshToken, ascii(freshLine)) == SendResult.BACKPRESSURE) {
                        Thread.onSpinWait();
                    }
                }
                producer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertFalse(producer.isAlive(), "the old token never turned stale");
                byte[] expected = ascii(freshLine.repeat(20));
                assertArrayEquals(expected, fresh.getInputStream().readNBytes(expected.length),
                        "round " + round + ": only the new user's lines, none of the old token's");
                assertEquals(SendResult.SUBMITTED, server.closeConnection(freshToken));
                assertEquals(-1, fresh.getInputStream().read(), "nothing after them either");
            }
            assertEquals("closed", closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertTrue(reused > 0, "the slot was reused in some rounds, so the stale writes had a victim to miss");
    }

    @Test
    void anotherServersTokenIsRefused() throws Exception {
        TcpServer a = start(TcpServer.builder(recorder));
        TcpServer b = start(TcpServer.builder(recorder));
        try (Socket socket = connect(a)) {
            socket.setTcpNoDelay(true);
            long token = nextToken();
            assertEquals(SendResult.CLOSED, b.write(token, ascii("x")));
            assertEquals(SendResult.CLOSED, b.closeConnection(token));
            assertTrue(a.isOpen(token));
        }
    }

    @Test
    void closeByTokenClosesOnTheWorkerAfterTheWritesBeforeIt() throws Exception {
        TcpServer server = start(TcpServer.builder(recorder));
        try (Socket socket = connect(server)) {
            long token = nextToken();
            assertEquals(SendResult.SUBMITTED, server.write(token, ascii("bye")));
            assertEquals(SendResult.SUBMITTED, server.closeConnection(token));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(out); // to the end: the close came after the write
            assertEquals("bye", out.toString(StandardCharsets.US_ASCII));
            assertEquals("closed", closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            assertFalse(server.isOpen(token));
            assertEquals(SendResult.CLOSED, server.write(token, ascii("late")));
        }
    }

    @Test
    void executeRunsAsACallbackOnTheConnectionsWorker() throws Exception {
        TcpServer server = start(TcpServer.builder(recorder));
        try (Socket socket = connect(server)) {
            long token = nextToken();
            AtomicReference<Object> seen = new AtomicReference<>();
            assertEquals(SendResult.SUBMITTED, server.execute(token, c -> {
                c.putLong(0, 42);
                seen.set(Thread.currentThread() instanceof WorkerThread ? c.token() : "not a worker");
                c.write(MemorySegment.ofArray(ascii("hi")));
            }));
            assertArrayEquals(ascii("hi"), socket.getInputStream().readNBytes(2));
            assertEquals(token, seen.get());
            CompletableFuture<String> facts = new CompletableFuture<>();
            server.execute(token, c -> {
                try {
                    facts.complete(c.isOpen() + " " + c.isWritable() + " " + c.queuedBytes() + " " + c.peerAddress());
                } catch (java.io.IOException e) {
                    facts.completeExceptionally(e);
                }
            });
            assertEquals("true true 0 " + socket.getLocalSocketAddress(), facts.get(WAIT_SECONDS, TimeUnit.SECONDS),
                    "open, writable, nothing queued, and the peer is our client");
            CompletableFuture<Long> state = new CompletableFuture<>();
            server.execute(token, c -> state.complete(c.getLong(0)));
            assertEquals(42L, state.get(WAIT_SECONDS, TimeUnit.SECONDS), "the slot's user state, as the action left it");
            AtomicReference<Connection> kept = new AtomicReference<>();
            server.execute(token, c -> {
                kept.set(c);
                throw new IllegalArgumentException("the action failed");
            });
            String cause = closed.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals("IllegalArgumentException: the action failed", cause, "a failing action closes with its cause");
            assertEquals(-1, socket.getInputStream().read());
            assertThrows(IllegalStateException.class, () -> kept.get().write(MemorySegment.ofArray(ascii("x"))),
                    "the flyweight is dead outside its callback");
        }
    }

    @Test
    void aWriteIsRefusedWhileTheConnectionIsAtItsHighWatermark() throws Exception {
        // A ring far larger than the loop below can fill: a refusal can only be the watermark's.
        TcpServer server = start(TcpServer.builder(recorder).writeBufferWatermarks(1024, 4096).submissionQueueCapacity(1 << 16));
        try (Socket socket = connect(server)) {
            long token = nextToken();
            byte[] chunk = new byte[16 * 1024];
            long submitted = 0;
            SendResult result;
            // The peer reads nothing: the kernel's buffers fill, then the server's queue reaches its
            // high watermark and writes are refused. 64 MiB bounds the loop.
            while ((result = server.write(token, chunk)) == SendResult.SUBMITTED) {
                submitted += chunk.length;
                assertTrue(submitted < 64 << 20, "no backpressure after 64 MiB to a peer that reads nothing");
            }
            assertEquals(SendResult.BACKPRESSURE, result);
            assertTrue(server.isOpen(token), "backpressure does not close");
            assertEquals(submitted, socket.getInputStream().readNBytes((int) submitted).length, "every submitted byte arrives");
            waitFor(() -> server.write(token, new byte[] {7}) == SendResult.SUBMITTED); // drained: accepted again
            assertEquals(7, socket.getInputStream().read());
        }
    }

    @Test
    void afterTheServerClosesEverySubmissionIsRefused() throws Exception {
        TcpServer server = start(TcpServer.builder(recorder));
        long token;
        try (Socket socket = connect(server)) {
            socket.setTcpNoDelay(true);
            token = nextToken();
            assertTrue(server.close(WAIT));
            assertEquals("closed", closed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(SendResult.CLOSED, server.write(token, ascii("x")));
        assertEquals(SendResult.CLOSED, server.execute(token, c -> {}));
        assertNull(closed.poll(100, TimeUnit.MILLISECONDS), "nothing else was closed");
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        TcpServer.Builder builder = TcpServer.builder(recorder);
        assertThrows(IllegalArgumentException.class, () -> builder.submissionQueueCapacity(3));
        assertThrows(IllegalArgumentException.class, () -> builder.submissionQueueCapacity(6));
        TcpServer server = start(builder);
        assertThrows(NullPointerException.class, () -> server.write(1L, (byte[]) null));
        assertThrows(NullPointerException.class, () -> server.execute(1L, null));
        assertInstanceOf(SendResult.class, server.write(-1L, new byte[1]));
        assertEquals(SendResult.CLOSED, server.write(-1L, new byte[1]), "a token that was never issued");
    }
}
