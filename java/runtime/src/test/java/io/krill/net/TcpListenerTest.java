package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import io.krill.time.Time;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** TcpListener over real sockets: IPv6, SO_REUSEPORT, backlog, closing, and running out of descriptors. */
@EnabledOnOs(OS.LINUX)
class TcpListenerTest extends LoopbackFixture {

    @Test
    void anIpv6ListenerAcceptsAndEchoes() throws Exception {
        InetSocketAddress any6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        TcpListener listener;
        try {
            listener = runtime.blockOn(() -> TcpListener.bind(any6));
        } catch (CompletionException e) {
            Assumptions.abort("no IPv6 loopback here: " + e.getCause());
            return;
        }
        assertInstanceOf(Inet6Address.class, listener.localAddress().getAddress());
        MemorySegment buffer = arena.allocate(64);
        Task<TcpStream> accepted = runtime.blockOn(() -> listener.accept());
        TcpStream client = runtime.blockOn(() -> TcpStream.connect(listener.localAddress())).join(WAIT);
        TcpStream server = accepted.join(WAIT);
        listener.close();
        try {
            assertInstanceOf(Inet6Address.class, server.peerAddress().getAddress());
            assertEquals(client.localAddress(), server.peerAddress());
            assertTrue(server.noDelay(), "accepted streams have TCP_NODELAY on");
            byte[] hello = "hello over ::1".getBytes(StandardCharsets.US_ASCII);
            runtime.blockOn(() -> client.writeAll(arena.allocateFrom(ValueLayout.JAVA_BYTE, hello))).join(WAIT);
            MemorySegment got = buffer.asSlice(0, hello.length);
            runtime.blockOn(() -> server.readExact(got)).join(WAIT);
            assertArrayEquals(hello, got.toArray(ValueLayout.JAVA_BYTE));
        } finally {
            client.close();
            server.close();
        }
    }

    /**
     * #15: accept() called off a worker (the main thread, a virtual thread) while a connection is
     * queued hands over a working stream; it used to register the stream on "the current
     * worker", fail with IllegalStateException, and close the connection it had taken.
     */
    @Test
    void anAcceptOffAWorkerHandsOverAQueuedConnectionThatWorks() throws Exception {
        TcpListener listener = runtime.blockOn(() -> TcpListener.bind(loopback(0)));
        try {
            acceptOffAWorkerAndExchange(listener, "main", listener::accept); // this test's own thread
            acceptOffAWorkerAndExchange(listener, "a virtual thread", () -> {
                java.util.concurrent.atomic.AtomicReference<Task<TcpStream>> task = new java.util.concurrent.atomic.AtomicReference<>();
                Thread.ofVirtual().start(() -> task.set(listener.accept())).join();
                return task.get();
            });
        } finally {
            listener.close();
        }
    }

    private interface AcceptCall {
        Task<TcpStream> accept() throws Exception;
    }

    private void acceptOffAWorkerAndExchange(TcpListener listener, String from, AcceptCall call) throws Exception {
        try (Socket peer = new Socket()) {
            peer.connect(listener.localAddress(), (int) WAIT.toMillis()); // handshaken: queued in the kernel
            peer.setSoTimeout((int) WAIT.toMillis());
            try (TcpStream stream = call.accept().join(WAIT)) {
                assertEquals(new InetSocketAddress(peer.getLocalAddress(), peer.getLocalPort()), stream.peerAddress(), from);
                byte[] hello = ("hello from " + from).getBytes(StandardCharsets.US_ASCII);
                runtime.blockOn(() -> stream.writeAll(arena.allocateFrom(ValueLayout.JAVA_BYTE, hello))).join(WAIT);
                assertArrayEquals(hello, peer.getInputStream().readNBytes(hello.length), from);
            }
            assertEquals(-1, peer.getInputStream().read(), "the stream we closed reached the peer as a FIN (" + from + ")");
        }
    }

    /**
     * #13: an accept that lost a race after it had taken a connection (a race whose other input
     * had already finished decides at once) gives the stream back to the listener, and the next
     * accept returns it; a kept stream is closed with the listener (the fixture checks that no
     * descriptor is left).
     */
    @Test
    void aConnectionAcceptedForNobodyIsTheNextAcceptsAndClosesWithTheListener() throws Exception {
        TcpListener listener = runtime.blockOn(() -> TcpListener.bind(loopback(0)));
        try (Socket first = new Socket(); Socket second = new Socket()) {
            first.connect(listener.localAddress());
            second.connect(listener.localAddress());
            Task<TcpStream> accepted = waitUntilAccepted(listener);
            Task<TcpStream> race = runtime.blockOn(() -> Task.race(Task.completed(null), accepted));
            assertEquals(null, race.join(WAIT), "the finished input won: the accept lost");
            try (TcpStream next = runtime.blockOn(() -> listener.accept()).join(WAIT)) {
                assertEquals(first.getLocalSocketAddress(), next.peerAddress(), "the stream nobody took came first");
            }
            Task<TcpStream> lost = waitUntilAccepted(listener);
            runtime.blockOn(() -> Task.race(Task.completed(null), lost)).join(WAIT);
            listener.close(); // closes the stream it kept: the peer reads the end
            second.setSoTimeout((int) WAIT.toMillis());
            assertEquals(-1, second.getInputStream().read(), "the kept stream was closed with the listener");
        } finally {
            listener.close();
        }
    }

    /** An accept that has finished (taken straight away, or after waiting: either way it may be given back). */
    private Task<TcpStream> waitUntilAccepted(TcpListener listener) throws Exception {
        Task<TcpStream> accepted = runtime.blockOn(() -> listener.accept());
        accepted.join(WAIT);
        return accepted;
    }

    @Test
    void reusePortLetsTwoListenersShareAPortThatIsOtherwiseTaken() throws Exception {
        TcpListener first = runtime.blockOn(() -> TcpListener.builder().reusePort(true).bind(loopback(0)));
        TcpListener second = runtime.blockOn(() -> TcpListener.builder().reusePort(true).bind(first.localAddress()));
        try {
            assertEquals(first.localAddress(), second.localAddress());
            IOException taken = runtime.blockOn(() -> {
                try {
                    TcpListener.bind(first.localAddress()).close();
                    return null;
                } catch (IOException expected) {
                    return expected;
                }
            });
            assertInstanceOf(AddressInUseException.class, taken, "without SO_REUSEPORT the port is taken");
            assertTrue(taken.getMessage().contains(first.localAddress().toString()), taken.getMessage());

            Task<TcpStream> either = runtime.blockOn(() -> Task.race(first.accept(), second.accept()));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), first.localAddress().getPort())) {
                TcpStream accepted = either.join(WAIT);
                assertEquals(client.getLocalSocketAddress(), accepted.peerAddress());
                accepted.close();
            }
        } finally {
            first.close();
            second.close();
        }
        assertThrows(IllegalArgumentException.class, () -> TcpListener.builder().backlog(0));
    }

    @Test
    void closingTheListenerFailsAPendingAcceptAndLaterAccepts() throws Exception {
        TcpListener listener = runtime.blockOn(() -> TcpListener.bind(loopback(0)));
        Task<TcpStream> accepting = runtime.blockOn(() -> listener.accept());
        // accept() tries accept(2) on the worker and returns a pending task only after EAGAIN:
        // not done here means it waits.
        assertFalse(accepting.isDone(), "nobody connected");
        runtime.blockOn(() -> {
            listener.close();
            return null;
        });
        CompletionException e = assertThrows(CompletionException.class, () -> accepting.join(WAIT));
        SocketClosedException closed = assertInstanceOf(SocketClosedException.class, e.getCause());
        assertTrue(closed.getMessage().contains("accept(" + listener.localAddress()), closed.getMessage());
        // An accept after the close fails the same way, so that an accept loop ended by another
        // thread's close ends alike whether the close came during an accept or between two.
        Task<TcpStream> late = runtime.blockOn(() -> listener.accept());
        e = assertThrows(CompletionException.class, () -> late.join(WAIT));
        closed = assertInstanceOf(SocketClosedException.class, e.getCause());
        assertTrue(closed.getMessage().contains("accept(" + listener.localAddress() + "): the listener is closed"), closed.getMessage());
        listener.close(); // harmless
    }

    /**
     * Uses up the process's descriptors (a pending connection waits in the backlog), checks that
     * accept retries a few times a second instead of spinning or failing, that it warned once,
     * and that it takes the connection once descriptors are free again.
     *
     * <p>While the descriptors are used up nothing may open a file, class files included: the
     * code paths involved are run once beforehand, and the log handler is installed before.
     */
    @Test
    void outOfDescriptorsAcceptBacksOffWarnsOnceAndTakesThePendingConnectionLater() throws Exception {
        Logger julLogger = Logger.getLogger(TcpListener.class.getName());
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.add(record);
                    // As a backend that needs a descriptor it cannot have (a time-zone file, a
                    // log file) fails: the accept must go on, the warning go to standard error.
                    throw new LinkageError("simulated: the logging backend could not open a file");
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        julLogger.addHandler(handler);
        boolean parentHandlers = julLogger.getUseParentHandlers();
        julLogger.setUseParentHandlers(false); // keep the expected warning out of the build log
        TcpListener listener = runtime.blockOn(() -> TcpListener.bind(loopback(0)));
        List<FileChannel> hog = new ArrayList<>();
        try {
            // Warm up every path the starved worker takes: accept, registration, timers.
            Task<TcpStream> warmUp = runtime.blockOn(() -> listener.accept());
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
                TcpStream warmed = warmUp.join(WAIT);
                assertEquals(first.getLocalSocketAddress(), warmed.peerAddress());
                warmed.close();
            }
            runtime.blockOn(() -> Time.sleep(Duration.ofMillis(70))).join(WAIT);
            warnings.clear();

            ByteArrayOutputStream standardError = new ByteArrayOutputStream();
            PrintStream originalError = System.err;
            try (Socket waiting = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
                System.setErr(new PrintStream(standardError, true, StandardCharsets.UTF_8));
                Path devNull = Path.of("/dev/null");
                try {
                    while (true) {
                        hog.add(FileChannel.open(devNull));
                    }
                } catch (FileSystemException full) {
                    assertTrue(String.valueOf(full.getReason()).contains("Too many open files"), full.toString());
                }
                // Bounded waits only until the descriptors are back: a hang here would starve every later test.
                Task<TcpStream> accepting = runtime.spawn(() -> listener.accept()).join(Duration.ofSeconds(5));
                Thread.sleep(1_000);
                long retries = listener.acceptBackoffs();
                boolean acceptedWhileStarved = accepting.isDone();
                for (FileChannel channel : hog) {
                    channel.close();
                }
                hog.clear();
                System.setErr(originalError);

                assertFalse(acceptedWhileStarved, "accept cannot succeed without a descriptor: " + accepting);
                // Back-off 10, 20, 40 … ms: about 7 attempts in the second; a spinning loop makes thousands.
                assertTrue(retries >= 2 && retries <= 20, retries + " accept attempts in a second without descriptors");
                TcpStream accepted = accepting.join(WAIT);
                assertEquals(waiting.getLocalSocketAddress(), accepted.peerAddress(), "the connection that waited");
                accepted.close();
            } finally {
                System.setErr(originalError);
            }
            assertEquals(1, warnings.size(), "one warning per listener, got " + warnings.size());
            String printed = standardError.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("the logger failed") && printed.contains("EMFILE"), printed);
            String message = warnings.get(0).getMessage();
            assertTrue(message.contains("EMFILE") && message.contains("ulimit -n") && message.contains(listener.localAddress().toString()),
                    message);
        } finally {
            for (FileChannel channel : hog) {
                channel.close();
            }
            listener.close();
            julLogger.removeHandler(handler);
            julLogger.setUseParentHandlers(parentHandlers);
        }
    }
}
