package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-connection read and idle timeouts on the handler API: a silent connection closes with a
 * ReadTimeoutException after its limit, one that keeps sending stays open, turning the timeout
 * off keeps a silent one open; an idle timeout counts writes as activity too. Lower bounds on time are asserted (they cannot flake);
 * upper bounds are generous waits.
 */
class ConnectionTimeoutTest extends LoopbackFixture {

    private static final long WAIT_SECONDS = WAIT.toSeconds();
    private static final Duration LIMIT = Duration.ofMillis(150);

    private TcpServer server;
    /** onClose causes (a Throwable "closed" for null). */
    private final BlockingQueue<Throwable> closes = new ArrayBlockingQueue<>(64);
    private final BlockingQueue<Opened> opens = new ArrayBlockingQueue<>(16);

    private record Opened(long token, long nanos) {}

    @AfterEach
    void closeServer() throws InterruptedException {
        if (server != null) {
            assertTrue(server.close(WAIT));
        }
    }

    /** For the test that must not time out while it sends: twelve send gaps of slack (a loaded machine's pauses). */
    private static final Duration PATIENT_LIMIT = Duration.ofMillis(600);

    private void start(Duration onOpen) {
        start(onOpen, null);
    }

    private void start(Duration read, Duration idle) {
        server = runtime.blockOn(() -> TcpServer.bind(loopback(0), new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                // The time first: a pause between setting the limits and reading the clock (GC,
                // a busy machine) would make a timeout on time look early.
                long now = System.nanoTime();
                connection.setReadTimeout(read);
                connection.setIdleTimeout(idle);
                opens.add(new Opened(connection.token(), now));
            }

            @Override
            public void onData(Connection connection, MemorySegment data) {}

            @Override
            public void onClose(Connection connection, Throwable cause) {
                closes.add(cause == null ? new Throwable("closed") : cause);
            }
        }));
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        return socket;
    }

    @Test
    void aSilentConnectionClosesWithAReadTimeoutAfterItsLimit() throws Exception {
        start(LIMIT);
        try (Socket socket = connect()) {
            long opened = opened().nanos();
            Throwable cause = closes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - opened;
            assertInstanceOf(ReadTimeoutException.class, cause, String.valueOf(cause));
            assertTrue(cause.getMessage().contains("150 ms"), cause.getMessage());
            assertTrue(elapsed >= LIMIT.toNanos() - TimeUnit.MILLISECONDS.toNanos(2), "not before its limit: " + elapsed);
            assertEquals(-1, socket.getInputStream().read(), "the peer sees the close");
        }
    }

    @Test
    void aConnectionThatKeepsSendingStaysOpenThenTimesOutOnceSilent() throws Exception {
        start(PATIENT_LIMIT);
        try (Socket socket = connect()) {
            opened();
            OutputStream out = socket.getOutputStream();
            long lastSent = 0;
            for (int i = 0; i < 30; i++) { // two and a half limits' worth of time, one byte every 50 ms
                out.write(i);
                lastSent = System.nanoTime();
                Thread.sleep(50);
                assertNull(closes.peek(), "closed although it read a byte " + (i + 1) + " times within its limit");
            }
            Throwable cause = closes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertInstanceOf(ReadTimeoutException.class, cause, String.valueOf(cause));
            assertTrue(System.nanoTime() - lastSent >= PATIENT_LIMIT.toNanos() - TimeUnit.MILLISECONDS.toNanos(2),
                    "counted from the last read");
        }
    }

    @Test
    void aTimeoutTurnedOffKeepsASilentConnectionOpen() throws Exception {
        start(null);
        try (Socket socket = connect()) {
            socket.setTcpNoDelay(true);
            long token = opened().token();
            assertEquals(SendResult.SUBMITTED, server.execute(token, c -> c.setReadTimeout(LIMIT)));
            assertEquals(SendResult.SUBMITTED, server.execute(token, c -> c.setReadTimeout(Duration.ZERO)));
            assertNull(closes.poll(LIMIT.toMillis() * 3, TimeUnit.MILLISECONDS), "off: never times out");
            assertTrue(server.isOpen(token));
            assertEquals(SendResult.SUBMITTED, server.execute(token, c -> assertThrows(IllegalArgumentException.class,
                    () -> c.setReadTimeout(Duration.ofMillis(-1)))));
        }
    }

    private Opened opened() throws InterruptedException {
        Opened opened = opens.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(opened != null, "no connection opened");
        return opened;
    }

    @Test
    void anIdleTimeoutCountsWritesAsActivityAndClosesOnceBothStop() throws Exception {
        start(null, PATIENT_LIMIT);
        try (Socket socket = connect()) {
            long token = opened().token();
            long lastWrite = 0;
            for (int i = 0; i < 30; i++) { // the client sends nothing; the server writes every 50 ms
                assertEquals(SendResult.SUBMITTED, server.write(token, new byte[] {(byte) i}));
                assertEquals(i, socket.getInputStream().read());
                lastWrite = System.nanoTime();
                Thread.sleep(50);
                assertNull(closes.peek(), "closed although it wrote within its limit");
            }
            Throwable cause = closes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertInstanceOf(IdleTimeoutException.class, cause, String.valueOf(cause));
            assertTrue(cause.getMessage().contains("600 ms"), cause.getMessage());
            assertTrue(System.nanoTime() - lastWrite >= PATIENT_LIMIT.toNanos() - TimeUnit.MILLISECONDS.toNanos(2),
                    "counted from the last write");
        }
    }

    /**
     * A limit set later that ends before the timer already armed (a read timeout after a long
     * idle timeout, as an HTTP server sets one while a request head is incomplete) closes at its
     * own deadline, not at the armed one's.
     */
    @Test
    void aNearerLimitSetWhileALongerOneIsArmedClosesAtItsOwnDeadline() throws Exception {
        Duration longIdle = Duration.ofSeconds(WAIT_SECONDS * 2);
        start(null, longIdle);
        try (Socket socket = connect()) {
            long token = opened().token();
            long set = System.nanoTime();
            assertEquals(SendResult.SUBMITTED, server.execute(token, c -> c.setReadTimeout(LIMIT)));
            Throwable cause = closes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertInstanceOf(ReadTimeoutException.class, cause, "closed by the read timeout well before the "
                    + longIdle.toSeconds() + " s idle one, not waiting for its timer: " + cause);
            assertTrue(System.nanoTime() - set >= LIMIT.toNanos() - TimeUnit.MILLISECONDS.toNanos(2), "not before its limit");
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    @Test
    void aSilentConnectionClosesWithAnIdleTimeout() throws Exception {
        start(null, LIMIT);
        try (Socket socket = connect()) {
            long opened = opened().nanos();
            Throwable cause = closes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertInstanceOf(IdleTimeoutException.class, cause, String.valueOf(cause));
            assertTrue(System.nanoTime() - opened >= LIMIT.toNanos() - TimeUnit.MILLISECONDS.toNanos(2));
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    /**
     * Many connections, each with its own read timeout (set from the byte it sent), some of
     * them sending again for a while: each closes with a ReadTimeoutException, none before its
     * limit counted from its last byte. The driver keeps one timer for all of them and a heap
     * of their checks, so this covers checks due in any order, moved later by reads and
     * removed by closes.
     */
    @Test
    void manyConnectionsWithDifferentLimitsEachCloseAtTheirOwnDeadline() throws Exception {
        int connections = 48;
        server = runtime.blockOn(() -> TcpServer.bind(loopback(0), new ConnectionHandler() {
            @Override
            public void onData(Connection connection, MemorySegment data) {
                int k = data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, data.byteSize() - 1);
                connection.setReadTimeout(Duration.ofMillis(200 + 25L * k));
            }

            @Override
            public void onClose(Connection connection, Throwable cause) {
                closes.add(cause == null ? new Throwable("closed") : cause);
            }
        }));
        Socket[] sockets = new Socket[connections];
        long[] lastSent = new long[connections];
        long[] limitNanos = new long[connections];
        java.util.List<java.util.concurrent.Future<Long>> closedAt = new java.util.ArrayList<>();
        try (java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
            for (int i = 0; i < connections; i++) {
                int k = (i * 7) % 16; // limits from 200 to 575 ms, not in connection order
                limitNanos[i] = TimeUnit.MILLISECONDS.toNanos(200 + 25L * k);
                sockets[i] = connect();
                sockets[i].setTcpNoDelay(true);
                lastSent[i] = System.nanoTime(); // before the write: the server may read it before write() returns
                sockets[i].getOutputStream().write(k);
                Socket socket = sockets[i];
                int which = i;
                closedAt.add(readers.submit(() -> { // a reader per connection sees its close when it comes (platform threads: the JDK's virtual-thread pollers would open epoll descriptors the fixture counts as leaked)
                    assertEquals(-1, socket.getInputStream().read(), "connection " + which + " closed by the server");
                    return System.nanoTime();
                }));
            }
            for (int round = 0; round < 6; round++) { // every third connection keeps sending for a while
                Thread.sleep(40);
                for (int i = 0; i < connections; i += 3) {
                    if (System.nanoTime() - lastSent[i] > limitNanos[i] / 4) {
                        continue; // near its deadline (a slow start): a byte now might land after it
                    }
                    lastSent[i] = System.nanoTime();
                    sockets[i].getOutputStream().write((i * 7) % 16);
                }
            }
            for (int i = 0; i < connections; i++) {
                long silent = closedAt.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS) - lastSent[i];
                assertTrue(silent >= limitNanos[i] - TimeUnit.MILLISECONDS.toNanos(2),
                        "connection " + i + " closed " + silent / 1_000_000 + " ms after its last byte, before its "
                                + limitNanos[i] / 1_000_000 + " ms limit");
            }
            for (int i = 0; i < connections; i++) {
                Throwable cause = closes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                assertInstanceOf(ReadTimeoutException.class, cause, String.valueOf(cause));
            }
        } finally {
            for (Socket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }
}
