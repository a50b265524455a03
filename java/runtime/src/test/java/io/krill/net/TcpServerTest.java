package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.internal.reactor.ConnectionTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The handler API ({@link TcpServer}) over real loopback sockets, with plain blocking JDK
 * sockets as peers. After each test the server is closed and no descriptor may be left open.
 */
@EnabledOnOs(OS.LINUX)
class TcpServerTest {

    /** The driver's read buffer (ShardDriver.READ_BUFFER_BYTES): at most one read beyond the watermark is queued. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private static final long WAIT_SECONDS = 30;

    private Runtime runtime;
    private TcpServer server;
    private java.util.Set<String> descriptorsBefore;

    /** Open descriptors as "fd -> target" (sockets, epoll instances, files). */
    private static java.util.Set<String> openDescriptors() {
        java.util.Set<String> open = new java.util.TreeSet<>();
        io.krill.internal.jni.OpenDescriptors.snapshot().forEach((fd, target) -> open.add(fd + " -> " + target));
        return open;
    }

    /** Descriptors opened since {@code before} and still open. */
    static java.util.Set<String> leaked(java.util.Set<String> before) throws IOException {
        java.util.Set<String> now = openDescriptors();
        now.removeAll(before);
        return now;
    }

    /**
     * The JDK opens some descriptors once, lazily, and keeps them (the virtual-thread pollers'
     * epoll instances, a socket of its networking set-up): open them before any count is taken.
     */
    @org.junit.jupiter.api.BeforeAll
    static void openTheJdksLazyDescriptors() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> read = virtual.submit(() -> {
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                    return client.getInputStream().read();
                }
            });
            try (Socket accepted = listener.accept()) {
                accepted.getOutputStream().write(1);
            }
            assertEquals(1, read.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        io.krill.internal.backend.Backends.selected(); // the backend this JVM runs on (JNI, or JNA in the matrix)
        descriptorsBefore = openDescriptors();
        runtime = Runtime.builder().workers(2).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            assertTrue(server.close(Duration.ofSeconds(WAIT_SECONDS)), "server closed in time");
            assertEquals(0, server.connections(), "connections left after close");
        }
        assertTrue(runtime.shutdown(Duration.ofSeconds(5)), "every task finished by itself");
        java.util.Set<String> leaks = leaked(descriptorsBefore);
        if (!leaks.isEmpty()) {
            for (String line : concat(Files.readAllLines(Path.of("/proc/net/tcp")), Files.readAllLines(Path.of("/proc/net/tcp6")), Files.readAllLines(Path.of("/proc/net/unix")))) {
                for (String leak : leaks) {
                    String inode = leak.replaceAll(".*\\[(\\d+)\\]", "$1");
                    if (line.contains(" " + inode + " ")) {
                        System.err.println("LEAK " + leak + ": " + line);
                    }
                }
            }
        }
        assertEquals(java.util.Set.of(), leaks, "descriptors leaked");
    }

    private TcpServer start(ConnectionHandler handler) {
        return start(TcpServer.builder(handler));
    }

    private TcpServer start(TcpServer.Builder builder) {
        server = runtime.blockOn(() -> builder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        return server;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return socket;
    }

    /**
     * #13: onClose only for connections that had their onOpen. A close requested while accepted
     * connections still wait for their first turn (opening) must close them without callbacks.
     * The first onOpen holds its worker while 400 clients connect, so that many are accepted
     * and queued at once; the 100th onOpen requests the close, and the step that follows finds
     * accepted connections not yet opened.
     */
    @Test
    void aConnectionClosedBeforeItsOnOpenNeverSeesOnClose() throws Exception {
        java.util.Set<Long> opened = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger closedUnopened = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger closedOpened = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch clientsIn = new java.util.concurrent.CountDownLatch(1);
        TcpServer[] self = new TcpServer[1];
        ConnectionHandler handler = new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                if (opened.isEmpty()) {
                    try {
                        clientsIn.await(WAIT_SECONDS, TimeUnit.SECONDS); // hold the worker: the others queue up
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                opened.add(connection.token());
                if (opened.size() == 100) {
                    self[0].close(); // returns at once; the drivers see it at their next step
                }
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}

            @Override
            public void onClose(Connection connection, Throwable failureOrNull) {
                (opened.contains(connection.token()) ? closedOpened : closedUnopened).incrementAndGet();
            }
        };
        self[0] = start(TcpServer.builder(handler).backlog(1024));
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                clients.add(connect()); // the kernel completes the handshake; the server accepts later
            }
            clientsIn.countDown();
            server.closed().join(Duration.ofSeconds(WAIT_SECONDS));
        } finally {
            clientsIn.countDown();
            for (Socket client : clients) {
                client.close();
            }
        }
        assertTrue(opened.size() >= 100, opened.size() + " opened");
        assertEquals(0, closedUnopened.get(), "onClose for connections whose onOpen never ran");
        assertEquals(opened.size(), closedOpened.get(), "every opened connection closed once");
    }

    /** Echo: writes back what it reads, in the read callback. */
    static final ConnectionHandler ECHO = (connection, data) -> connection.write(data);

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Sends {@code data} from another thread while reading the echo to its end. */
    private byte[] echoThroughHalfClose(Socket socket, byte[] data) throws Exception {
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(data);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] echoed = readToEnd(socket.getInputStream());
        writing.get(WAIT_SECONDS, TimeUnit.SECONDS);
        return echoed;
    }

    private void echoes(int size) throws Exception {
        start(ECHO);
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        try (Socket socket = connect()) {
            assertArrayEquals(data, echoThroughHalfClose(socket, data), size + " bytes");
        }
    }

    @Test
    void oneByteEchoes() throws Exception {
        echoes(1);
    }

    @Test
    void sixteenMegabytesEchoThroughBackpressure() throws Exception {
        echoes(16 * 1024 * 1024);
    }

    @Test
    void halfCloseSendsEverythingThenFinThenCloses() throws Exception {
        List<Object> closes = new CopyOnWriteArrayList<>();
        start(new ConnectionHandler() {
            @Override
            public void onData(Connection connection, MemorySegment buffer) {
                int length = (int) buffer.byteSize();
                connection.write(buffer, 0, length);
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                closes.add(cause == null ? "clean" : cause);
            }
        });
        try (Socket socket = connect()) {
            byte[] data = "all of this arrives before our FIN".getBytes();
            assertArrayEquals(data, echoThroughHalfClose(socket, data));
        }
        waitFor(() -> closes.size() == 1);
        assertEquals(List.of("clean"), closes);
    }

    @Test
    void callbacksSeeOpenDataCloseInOrderWithUserState() throws Exception {
        BlockingQueue<String> events = new ArrayBlockingQueue<>(16);
        start(new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                assertEquals(0L, connection.getLong(0), "user area starts zeroed");
                assertEquals(0L, connection.getLong(8));
                connection.putInt(12, 7);
                events.add("open");
            }

            @Override
            public void onData(Connection connection, MemorySegment buffer) {
                int length = (int) buffer.byteSize();
                connection.putLong(0, connection.getLong(0) + length); // bytes so far, in the slot
                events.add("data");
            }

            @Override
            public void onReadEnd(Connection connection) {
                events.add("end " + connection.getLong(0) + " " + connection.getInt(12));
                connection.close();
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                events.add("close " + connection.getLong(0) + " " + cause);
            }
        });
        try (Socket socket = connect()) {
            socket.getOutputStream().write(new byte[10]);
            assertEquals("open", events.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals("data", events.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            socket.getOutputStream().write(new byte[5]);
            assertEquals("data", events.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            socket.shutdownOutput();
            assertEquals("end 15 7", events.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals("close 15 null", events.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(-1, socket.getInputStream().read(), "closed by the server");
        }
    }

    @Test
    void userAreaBoundsAreChecked() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        start(new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                try {
                    connection.putLong(12, 1);
                } catch (IndexOutOfBoundsException e) {
                    failure.set(e);
                }
                try {
                    connection.getInt(-4);
                } catch (IndexOutOfBoundsException e) {
                    failure.get().addSuppressed(e);
                }
                done.complete(null);
                connection.close();
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}
        });
        try (Socket socket = connect()) {
            done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(-1, socket.getInputStream().read());
        }
        assertInstanceOf(IndexOutOfBoundsException.class, failure.get());
        assertEquals(1, failure.get().getSuppressed().length);
        assertTrue(failure.get().getMessage().contains("16 bytes"), failure.get().getMessage());
    }

    @Test
    void aFlyweightKeptPastItsCallbackRefusesUseAndTheTokenGoesStale() throws Exception {
        AtomicReference<Connection> kept = new AtomicReference<>();
        AtomicReference<Long> token = new AtomicReference<>();
        AtomicReference<Long> nextToken = new AtomicReference<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        start(new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                if (kept.compareAndSet(null, connection)) {
                    token.set(connection.token()); // the first connection's
                } else {
                    nextToken.set(connection.token());
                }
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}

            @Override
            public void onClose(Connection connection, Throwable cause) {
                closed.complete(null);
            }
        });
        try (Socket socket = connect()) {
            waitFor(() -> token.get() != null);
            assertTrue(server.isOpen(token.get()));
            MemorySegment bytes = MemorySegment.ofArray(new byte[1]);
            IllegalStateException outside = assertThrows(IllegalStateException.class, () -> kept.get().write(bytes));
            assertTrue(outside.getMessage().contains("only during its handler callback"), outside.getMessage());
            socket.shutdownOutput(); // default onReadEnd: our FIN, then the connection closes
            assertEquals(-1, socket.getInputStream().read());
        }
        closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        waitFor(() -> !server.isOpen(token.get()));
        assertThrows(IllegalStateException.class, () -> kept.get().token());
        // New connections take freed slots (the free list is LIFO; a slot closed while queued is
        // freed once its driver has popped it): keep opening until one takes the old slot.
        List<Socket> again = new ArrayList<>();
        try {
            boolean reused = false;
            for (int i = 0; i < 8 && !reused; i++) {
                nextToken.set(null);
                Socket socket = connect();
                again.add(socket);
                waitFor(() -> nextToken.get() != null);
                reused = ConnectionTable.indexOfToken(token.get()) == ConnectionTable.indexOfToken(nextToken.get());
                assertTrue(server.isOpen(nextToken.get()));
            }
            assertTrue(reused, "the closed connection's slot serves one of the next eight");
            assertFalse(server.isOpen(token.get()), "a stale token never names the slot's next connection: 0x" + Long.toHexString(token.get()));
        } finally {
            for (Socket socket : again) {
                socket.close();
            }
        }
    }

    @Test
    void aThrowingCallbackClosesItsConnectionAndOnCloseGetsTheFailure() throws Exception {
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        start(new ConnectionHandler() {
            @Override
            public void onData(Connection connection, MemorySegment buffer) {
                int length = (int) buffer.byteSize();
                throw new IllegalArgumentException("bad request");
            }

            @Override
            public void onClose(Connection connection, Throwable failure) {
                cause.complete(failure);
            }
        });
        try (Socket socket = connect()) {
            socket.getOutputStream().write(1);
            assertEquals(-1, socket.getInputStream().read(), "the server closed it");
        }
        Throwable failure = cause.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(IllegalArgumentException.class, failure);
        assertEquals("bad request", failure.getMessage());
    }

    @Test
    void resetByPeerMidReadReachesOnCloseAsConnectionReset() throws Exception {
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        CompletableFuture<Void> dataSeen = new CompletableFuture<>();
        start(new ConnectionHandler() {
            @Override
            public void onData(Connection connection, MemorySegment buffer) {
                int length = (int) buffer.byteSize();
                dataSeen.complete(null);
            }

            @Override
            public void onClose(Connection connection, Throwable failure) {
                cause.complete(failure);
            }
        });
        Socket socket = connect();
        socket.getOutputStream().write(new byte[100]);
        dataSeen.get(WAIT_SECONDS, TimeUnit.SECONDS);
        socket.setSoLinger(true, 0);
        socket.close(); // RST
        Throwable failure = cause.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(ConnectionResetException.class, failure);
        assertTrue(failure.getMessage().contains("read from"), failure.getMessage());
    }

    @Test
    void resetByPeerMidWriteReachesOnCloseAndStopsTheWriter() throws Exception {
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        AtomicInteger writesAfterFailure = new AtomicInteger();
        CompletableFuture<Void> atWatermark = new CompletableFuture<>();
        MemorySegment block = MemorySegment.ofArray(new byte[64 * 1024]);
        start(new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                pump(connection);
            }

            @Override
            public void onWritable(Connection connection) {
                pump(connection);
            }

            private void pump(Connection connection) {
                WriteResult result;
                while ((result = connection.write(block)) == WriteResult.WRITTEN) {
                    // the peer reads nothing: this stops at the high watermark
                }
                assertEquals(WriteResult.ABOVE_HIGH_WATERMARK, result, "queued at the watermark, not failed");
                atWatermark.complete(null);
                if (cause.isDone()) {
                    writesAfterFailure.incrementAndGet();
                }
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}

            @Override
            public void onClose(Connection connection, Throwable failure) {
                cause.complete(failure);
            }
        });
        Socket socket = connect();
        socket.setReceiveBufferSize(4096);
        atWatermark.get(WAIT_SECONDS, TimeUnit.SECONDS); // the server filled the socket and queued to its watermark
        socket.setSoLinger(true, 0);
        socket.close(); // RST while the server has output queued
        Throwable failure = cause.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(failure instanceof ConnectionResetException || failure instanceof BrokenPipeException,
                "reset or broken pipe, got " + failure);
        assertTrue(failure.getMessage().contains("to /127.0.0.1") || failure.getMessage().contains("from /127.0.0.1")
                || failure.getMessage().contains("fd "), failure.getMessage());
        assertEquals(0, writesAfterFailure.get());
    }

    @Test
    void aPeerThatNeverReadsStopsTheWriterAtTheHighWatermark() throws Exception {
        int high = 256 * 1024;
        int block = 48 * 1024;
        long total = 700L * block;
        AtomicInteger maxQueued = new AtomicInteger();
        AtomicInteger writableCalls = new AtomicInteger();
        start(TcpServer.builder(new ConnectionHandler() {
            final MemorySegment chunk = MemorySegment.ofArray(pattern(block));

            @Override
            public void onOpen(Connection connection) {
                connection.putLong(0, 0); // bytes written so far
                pump(connection);
            }

            @Override
            public void onWritable(Connection connection) {
                writableCalls.incrementAndGet();
                pump(connection);
            }

            private void pump(Connection connection) {
                long written = connection.getLong(0);
                boolean writable = true;
                while (writable && written < total) {
                    writable = connection.write(chunk).isWritable();
                    written += block;
                    maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
                }
                connection.putLong(0, written);
                if (written >= total) {
                    connection.shutdownOutput();
                }
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}
        }).writeBufferWatermarks(high / 2, high));
        try (Socket socket = connect()) {
            Thread.sleep(300); // a reader that does not read at first: the queue must stop growing
            int stalled = maxQueued.get();
            assertTrue(stalled < high + block, "queued " + stalled + " bytes, watermark " + high);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[block];
            long received = 0;
            byte[] expected = pattern(block);
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != expected[(int) ((received + i) % block)]) {
                        throw new AssertionError("byte " + (received + i) + " differs");
                    }
                }
                received += n;
            }
            assertEquals(total, received);
        }
        assertTrue(maxQueued.get() < high + block, "queued at most " + maxQueued.get());
        assertTrue(writableCalls.get() > 0, "onWritable called after the queue drained");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> list : lists) {
            all.addAll(list);
        }
        return all;
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    @Test
    void anEchoPeerThatWritesButNeverReadsIsNotRead() throws Exception {
        AtomicInteger maxQueued = new AtomicInteger();
        start(TcpServer.builder((connection, buffer) -> {
            int length = (int) buffer.byteSize();
            connection.write(buffer, 0, length);
            maxQueued.accumulateAndGet(connection.queuedBytes(), Math::max);
        }).writeBufferWatermarks(64 * 1024, 128 * 1024));
        byte[] data = new byte[24 * 1024 * 1024];
        new Random(3).nextBytes(data);
        try (Socket socket = connect()) {
            Future<?> writing = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                socket.getOutputStream().write(data); // blocks once every buffer is full
                socket.shutdownOutput();
                return null;
            });
            // The queue reaching its high watermark is what stops the server reading; then 24 MiB
            // cannot all fit in the kernel's buffers, so the writer must be blocked.
            waitFor(() -> maxQueued.get() >= 128 * 1024);
            assertFalse(writing.isDone(), "the server stopped reading, so the writer is blocked");
            assertTrue(maxQueued.get() <= 128 * 1024 + READ_BUFFER_BYTES, "queued " + maxQueued.get());
            byte[] echoed = readToEnd(socket.getInputStream());
            writing.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertArrayEquals(data, echoed);
        }
    }

    @Test
    void aThousandConcurrentConnectionsEcho() throws Exception {
        start(ECHO);
        int count = 1_000;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(connect());
            }
            waitFor(() -> server.connections() == count);
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    Socket socket = sockets.get(i);
                    byte[] message = ("connection " + i + " says hello").getBytes();
                    results.add(clients.submit(() -> {
                        socket.getOutputStream().write(message);
                        byte[] echoed = socket.getInputStream().readNBytes(message.length);
                        return java.util.Arrays.equals(message, echoed);
                    }));
                }
                for (Future<Boolean> result : results) {
                    assertTrue(result.get(WAIT_SECONDS, TimeUnit.SECONDS));
                }
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        waitFor(() -> server.connections() == 0);
    }

    @Test
    void closingTheServerClosesItsConnectionsAndFreesEverything() throws Exception {
        AtomicInteger opens = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        start(new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                opens.incrementAndGet();
            }

            @Override
            public void onData(Connection connection, MemorySegment buffer) {
                int length = (int) buffer.byteSize();
                connection.write(buffer, 0, length);
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                assertNull(cause);
                closes.incrementAndGet();
            }
        });
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sockets.add(connect());
        }
        // Opened, not only accepted: a connection closed before its onOpen gets no onClose.
        waitFor(() -> opens.get() == 20);
        assertEquals(20, server.connections());
        assertTrue(server.close(Duration.ofSeconds(WAIT_SECONDS)));
        assertEquals(20, closes.get());
        for (Socket socket : sockets) {
            try (socket) {
                assertEquals(-1, socket.getInputStream().read(), "closed by the server");
            } catch (SocketException reset) {
                // also fine: the server closed with unread data
            }
        }
        assertThrows(IOException.class, () -> {
            try (Socket late = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort())) {
                late.getInputStream().read();
            }
        }, "the listener is closed");
    }

    @Test
    void acceptOutOfDescriptorsBacksOffLogsOnceAndRecovers() throws Exception {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(TcpServer.class.getName());
        List<java.util.logging.LogRecord> records = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(capture);
        log.setUseParentHandlers(false); // keep the expected warning out of the build log
        AtomicInteger opened = new AtomicInteger();
        start(new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                opened.incrementAndGet();
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}
        });
        List<java.nio.channels.FileChannel> hog = new ArrayList<>();
        Socket waiting = null;
        try {
            Socket warmUp = connect(); // every class on the accept path loaded before the descriptors run out
            try {
                waitFor(() -> opened.get() == 1); // the server accepted it: that is the warm-up
            } finally {
                warmUp.close();
            }
            // ... and on the back-off path: classes load from target/classes, a file each, which
            // needs a descriptor (from a jar, as deployed, they would not).
            runtime.blockOn(() -> {
                io.krill.internal.errno.Errors.newException("warm-up", -io.krill.internal.jni.Errno.EMFILE.number());
                return io.krill.time.Time.sleep(Duration.ofMillis(1)).map(v -> null);
            }).join(Duration.ofSeconds(WAIT_SECONDS));
            Path devNull = Path.of("/dev/null");
            try {
                for (;;) {
                    hog.add(java.nio.channels.FileChannel.open(devNull));
                }
            } catch (IOException exhausted) {
                // EMFILE: the process is out of descriptors
            }
            hog.removeLast().close(); // room for the client's socket only: the server's accept fails
            waiting = connect(); // completes in the kernel's accept queue
            // The workers' CPU time, not the process's: the JIT and the GC may be busy meanwhile.
            long cpuBefore = workerCpuNanos();
            long wallBefore = System.nanoTime();
            Thread.sleep(1_000);
            long cpuNanos = workerCpuNanos() - cpuBefore;
            long wallNanos = System.nanoTime() - wallBefore;
            assertEquals(1, opened.get(), "not accepted while out of descriptors");
            assertTrue(cpuNanos < wallNanos / 10, "accept must back off, not spin: the workers used "
                    + cpuNanos / 1_000_000 + " ms of CPU in " + wallNanos / 1_000_000 + " ms");
        } catch (AssertionError | RuntimeException e) {
            if (waiting != null) {
                waiting.close(); // do not leave it to the descriptor check below the real failure
            }
            throw e;
        } finally {
            for (java.nio.channels.FileChannel channel : hog) {
                channel.close();
            }
        }
        try (Socket accepted = waiting) {
            waitFor(() -> opened.get() == 2); // the back-off retries within a second
            accepted.setTcpNoDelay(true);
        } finally {
            log.removeHandler(capture);
            log.setUseParentHandlers(true);
        }
        assertEquals(1, records.size(), "logged once: " + records);
        assertTrue(records.getFirst().getMessage().contains("ulimit -n"), records.getFirst().getMessage());
    }

    @Test
    void aRuntimeShutDownWithItsServerOpenStopsAtOnceAndClosesEverything() throws Exception {
        TcpServer open = start(ECHO);
        try (Socket socket = connect()) {
            server = null; // not closed by tearDown: the runtime's shutdown must do it
            socket.getOutputStream().write(1);
            assertEquals(1, socket.getInputStream().readNBytes(1).length);
            long startNanos = System.nanoTime();
            assertTrue(runtime.shutdown(Duration.ofSeconds(20)), "the server's drivers do not count as live tasks");
            assertTrue(System.nanoTime() - startNanos < TimeUnit.SECONDS.toNanos(10), "no wait for the deadline");
            assertTrue(open.closed().isDone(), "its drivers were cancelled with the runtime");
            assertEquals(-1, socket.getInputStream().read(), "the connection was closed");
        }
    }

    @Test
    void aShardWhoseWorkerIsStuckInALongStepIsServedByAnotherWorker() throws Exception {
        start(ECHO);
        try (Socket socket = connect()) {
            waitFor(() -> server.connections() == 1); // the first connection lives in shard 0
            CountDownLatch hogging = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (hogging.getCount() > 0 && System.nanoTime() < deadline) {
                runtime.spawn(() -> { // until one lands on worker 0 and blocks it (deliberately)
                    if (io.krill.internal.reactor.Reactor.currentWorker() == 0 && claimed.compareAndSet(false, true)) {
                        hogging.countDown();
                        release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    }
                    return null;
                });
                Thread.sleep(1);
            }
            assertTrue(hogging.await(WAIT_SECONDS, TimeUnit.SECONDS), "a task blocks worker 0");
            try {
                long startNanos = System.nanoTime();
                socket.getOutputStream().write(42);
                assertEquals(42, socket.getInputStream().read());
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                // Without the rescue the echo would wait for the blocked step (released below).
                assertTrue(millis < 2_000, "echoed after " + millis + " ms while shard 0's worker was blocked");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void echoingAllocatesNothingPerEventAcrossConnectionsAndThroughTheWriteBacklog() throws Exception {
        java.util.concurrent.atomic.AtomicLong aboveWatermark = new java.util.concurrent.atomic.AtomicLong();
        start((connection, data) -> {
            if (connection.write(data) == WriteResult.ABOVE_HIGH_WATERMARK) {
                aboveWatermark.incrementAndGet(); // the backlog and backpressure path, taken
            }
        });
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting must work here, or this test proves nothing");
        // The control: an allocation on a worker must show in the count.
        long control = workerAllocatedBytes(threads);
        assertEquals(1 << 20, runtime.spawn(() -> new byte[1 << 20].length).join());
        assertTrue(workerAllocatedBytes(threads) - control >= 1 << 20, "a 1 MiB array on a worker was not counted");

        int clients = 4;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(8 * 1024); // before connecting: a small window, so replies back up
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localAddress().getPort()));
                socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                sockets.add(socket);
            }
            byte[] message = new byte[32];
            // A burst the echo cannot send while the client is not reading yet: past the kernel's
            // buffers (the server's send buffer grows to a few MiB on loopback) the replies queue
            // in the write backlog's chunks, cross the high watermark, and reading pauses.
            byte[] burst = new byte[8 * 1024 * 1024];
            Runnable small = () -> {
                try {
                    for (int i = 0; i < 5_000; i++) {
                        for (Socket socket : sockets) {
                            socket.getOutputStream().write(message);
                        }
                        for (Socket socket : sockets) {
                            assertEquals(message.length, socket.getInputStream().readNBytes(message.length).length);
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            Runnable bursts = () -> {
                Socket socket = sockets.getFirst();
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                    try {
                        socket.getOutputStream().write(burst);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                try {
                    Thread.sleep(100); // not reading yet: the echo's replies queue up to the watermark
                    assertEquals(burst.length, socket.getInputStream().readNBytes(burst.length).length);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
                sending.join();
            };
            byte[] medium = new byte[10_000]; // a read between 4 KiB and 64 KiB: each driver makes its big-view array
            for (Socket socket : sockets) {
                socket.getOutputStream().write(medium);
                assertEquals(medium.length, socket.getInputStream().readNBytes(medium.length).length);
            }
            for (int warmUp = 0; warmUp < 3; warmUp++) { // JIT, chunk pools, read views, lazily made objects
                small.run();
                bursts.run();
            }
            int measured = 4;
            long before = 0;
            long smallAllocated = Long.MAX_VALUE; // two windows, the smaller judged (see the bursts below)
            for (int window = 0; window < 2; window++) {
                before = workerAllocatedBytes(threads);
                for (int i = 0; i < measured; i++) {
                    small.run();
                }
                smallAllocated = Math.min(smallAllocated, workerAllocatedBytes(threads) - before);
            }
            long roundTrips = (long) measured * clients * 5_000;
            // Under 1 B per round trip on average. A Task-API echo allocates a few hundred
            // bytes per round trip (tasks, promises, lambdas).
            assertTrue(smallAllocated < roundTrips, "worker threads allocated " + smallAllocated + " bytes over "
                    + roundTrips + " round trips of 32 B on " + clients + " connections");
            aboveWatermark.set(0);
            // Two windows, the smaller one judged: a one-time lazy allocation (a pool's growth
            // when a backlog first goes deeper than ever) lands in one window at most.
            long burstAllocated = Long.MAX_VALUE;
            for (int window = 0; window < 2; window++) {
                before = workerAllocatedBytes(threads);
                for (int i = 0; i < measured; i++) {
                    bursts.run();
                }
                burstAllocated = Math.min(burstAllocated, workerAllocatedBytes(threads) - before);
            }
            assertTrue(aboveWatermark.get() > 0, "the bursts never filled a write backlog to its high watermark");
            // Through the backlog and the watermarks: the chunks are pooled, but a read of a length
            // not seen before makes its view once (about 40 B); most bulk reads fill the whole
            // buffer, and the rest come in new lengths now and then (measured here: 0 to 2.3 KB
            // over these 32 MiB). Bound: 8 B per 64 KiB read buffer's worth, 4 KiB in all, which
            // an allocation per read or per queued chunk would exceed.
            long buffersWorth = (long) measured * burst.length / (64 * 1024);
            assertTrue(burstAllocated < buffersWorth * 8, "worker threads allocated " + burstAllocated + " bytes over "
                    + measured + " bursts of 8 MiB through the write backlog");
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static long workerCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("krill-worker")) {
                sum += Math.max(0, threads.getThreadCpuTime(thread.threadId()));
            }
        }
        return sum;
    }

    private static long workerAllocatedBytes(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("krill-worker")) {
                sum += threads.getThreadAllocatedBytes(thread.threadId());
            }
        }
        return sum;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in " + WAIT_SECONDS + " s");
            }
            Thread.sleep(5);
        }
    }
}
