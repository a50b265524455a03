package io.krill.examples;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.net.ConnectionHandler;
import io.krill.net.TcpListener;
import io.krill.net.TcpServer;
import io.krill.net.TcpStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * The demo servers behind {@code ci/serve MODE PORT THREADS}, on 127.0.0.1:
 * <ul>
 *   <li>{@code echo}: echoes every byte with the handler API ({@link TcpServer}): no Java
 *       object per connection, no allocation per event;</li>
 *   <li>{@code echo-task}: echoes every byte, written with the Task API as the guide's echo
 *       server is (one accept loop, one read/write loop per connection);</li>
 *   <li>{@code http}: answers each pipelined request (ended by an empty line) with
 *       {@code HTTP/1.1 200 OK}, {@code Content-Length: 5}, body {@code Hello}, keep-alive, in
 *       order.</li>
 * </ul>
 */
public final class Serve implements AutoCloseable {

    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of request a connection may buffer before a request is complete (guess: ample for GETs). */
    static final int REQUEST_BUFFER_BYTES = 16 * 1024;
    /** Responses sent by one write at most (guess: a pipelining client rarely has more in flight). */
    static final int RESPONSES_PER_WRITE = 64;
    /** Bytes per read for echo (guess: one loopback segment burst). */
    static final int ECHO_BUFFER_BYTES = 64 * 1024;

    /** The handler-API echo: writes back what it reads, within the read callback. */
    static final ConnectionHandler ECHO = (connection, data) -> connection.write(data);

    private final Runtime runtime;
    private final TcpListener listener; // Task-API modes
    private final TcpServer server;     // handler-API modes
    private final BufferPool echoBuffers = new BufferPool(ECHO_BUFFER_BYTES);
    /** {@link #RESPONSES_PER_WRITE} copies of the response back to back: k answers are one slice, one write. */
    private final MemorySegment responses = repeated(RESPONSE, RESPONSES_PER_WRITE);

    private Serve(Runtime runtime, TcpListener listener, TcpServer server) {
        this.runtime = runtime;
        this.listener = listener;
        this.server = server;
    }

    /** Starts a server; {@code port} 0 picks a free one ({@link #port()}). */
    public static Serve start(String mode, int port, int threads) {
        if (!mode.equals("echo") && !mode.equals("echo-task") && !mode.equals("http")) {
            throw new IllegalArgumentException("unknown mode '" + mode + "': use echo, echo-task or http");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Runtime runtime = Runtime.builder().workers(threads).build();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try {
            if (mode.equals("echo")) {
                return new Serve(runtime, null, runtime.blockOn(() -> TcpServer.bind(address, ECHO)));
            }
            TcpListener listener = runtime.blockOn(() -> TcpListener.bind(address));
            Serve server = new Serve(runtime, listener, null);
            runtime.spawn(server.new AcceptLoop(mode.equals("http")));
            return server;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public int port() {
        return (server != null ? server.localAddress() : listener.localAddress()).getPort();
    }

    /**
     * Accepts forever (until closed), spawning one coroutine per connection. Loops are
     * coroutines, not recursive {@code then} chains: a chain would keep one finished link per
     * iteration alive until the loop ends, so memory would grow with every request.
     */
    private final class AcceptLoop implements Coroutine<Void> {
        private final boolean http;
        private Task<TcpStream> accepting;

        AcceptLoop(boolean http) {
            this.http = http;
        }

        @Override
        public void resume(Step<Void> step) {
            for (;;) {
                if (accepting == null) {
                    accepting = listener.accept();
                }
                if (!step.await(accepting)) {
                    return;
                }
                Throwable failure = accepting.failureNow();
                if (failure != null) {
                    step.fail(failure); // the listener was closed (or broke): stop accepting
                    return;
                }
                TcpStream stream = accepting.resultNow();
                accepting = null;
                runtime.spawn(http ? new HttpConnection(stream) : new EchoConnection(stream, echoBuffers));
            }
        }
    }

    /**
     * Echo without a buffer per idle connection (Tokio's readable + try_read pattern): wait for
     * readability holding nothing, then borrow a buffer for one read and its write.
     */
    static final class EchoConnection implements Coroutine<Void> {
        private final TcpStream stream;
        private final BufferPool buffers;
        private Task<Void> readable;
        private Task<Void> writing;
        private MemorySegment buffer; // borrowed from a read until its write is done

        EchoConnection(TcpStream stream, BufferPool buffers) {
            this.stream = stream;
            this.buffers = buffers;
        }

        @Override
        public void resume(Step<Void> step) {
            try {
                for (;;) {
                    if (writing != null) {
                        if (!step.await(writing)) {
                            return;
                        }
                        buffers.give(buffer);
                        buffer = null;
                        Throwable failure = writing.failureNow();
                        writing = null;
                        if (failure != null) {
                            finish(stream, step, failure);
                            return;
                        }
                    }
                    if (readable == null) {
                        readable = stream.readable();
                    }
                    if (!step.await(readable)) {
                        return; // idle: holds the readiness wait, no buffer
                    }
                    readable = null;
                    buffer = buffers.take();
                    int n = stream.tryRead(buffer);
                    if (n <= 0) {
                        buffers.give(buffer);
                        buffer = null;
                        if (n < 0) {
                            finish(stream, step, null);
                            return;
                        }
                        continue; // woken, nothing there yet
                    }
                    writing = stream.writeAll(buffer.asSlice(0, n));
                }
            } catch (java.io.IOException | RuntimeException e) {
                if (buffer != null) {
                    buffers.give(buffer);
                    buffer = null;
                }
                finish(stream, step, e);
            }
        }
    }

    /**
     * Reads requests into its buffer, answers every complete one in order, keeps the incomplete
     * rest for the next read; a request larger than the buffer ends the connection.
     */
    final class HttpConnection implements Coroutine<Void> {
        private final TcpStream stream;
        // The connection's buffer, freed by the GC with the connection (also when a shutdown
        // cancels it mid-request, which a close in finish() would miss).
        private final MemorySegment buffer = Arena.ofAuto().allocate(REQUEST_BUFFER_BYTES);
        private int filled;
        private int owed; // responses still to write
        private Task<Integer> reading;
        private Task<Void> writing;

        HttpConnection(TcpStream stream) {
            this.stream = stream;
        }

        @Override
        public void resume(Step<Void> step) {
            try {
                for (;;) {
                    if (writing != null) {
                        if (!step.await(writing)) {
                            return;
                        }
                        Throwable failure = writing.failureNow();
                        writing = null;
                        if (failure != null) {
                            finish(stream, step, failure);
                            return;
                        }
                    }
                    if (owed > 0) {
                        int batch = Math.min(owed, RESPONSES_PER_WRITE); // one write for many answers
                        owed -= batch;
                        writing = stream.writeAll(responses.asSlice(0, (long) batch * RESPONSE.length));
                        continue;
                    }
                    if (filled == buffer.byteSize()) {
                        finish(stream, step, null); // a request larger than the buffer: drop the connection
                        return;
                    }
                    if (reading == null) {
                        reading = stream.read(buffer.asSlice(filled));
                    }
                    if (!step.await(reading)) {
                        return;
                    }
                    Throwable failure = reading.failureNow();
                    int n = failure == null ? reading.resultNow() : -1;
                    reading = null;
                    if (n < 0) {
                        finish(stream, step, failure);
                        return;
                    }
                    int held = filled + n;
                    int consumed = 0;
                    for (int end = requestEnd(buffer, 0, held); end > 0; end = requestEnd(buffer, consumed, held)) {
                        consumed = end;
                        owed++;
                    }
                    if (consumed > 0) {
                        MemorySegment.copy(buffer, consumed, buffer, 0, held - consumed); // keep the incomplete rest
                    }
                    filled = held - consumed;
                }
            } catch (RuntimeException e) {
                finish(stream, step, e);
            }
        }
    }

    /** Ends a connection's coroutine: closes its stream, then completes or fails the task. */
    private static void finish(TcpStream stream, Step<Void> step, Throwable failure) {
        stream.close();
        if (failure == null) {
            step.complete(null);
        } else {
            step.fail(failure);
        }
    }

    private static MemorySegment repeated(byte[] bytes, int times) {
        MemorySegment all = Arena.ofAuto().allocate((long) bytes.length * times);
        for (int i = 0; i < times; i++) {
            MemorySegment.copy(bytes, 0, all, ValueLayout.JAVA_BYTE, (long) i * bytes.length, bytes.length);
        }
        return all;
    }

    /** Off-heap buffers lent to connections for one read and its write; as many as are ever busy at once. */
    static final class BufferPool {
        private final Arena arena = Arena.ofShared();
        private final java.util.concurrent.ConcurrentLinkedQueue<MemorySegment> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final int bufferBytes;

        BufferPool(int bufferBytes) {
            this.bufferBytes = bufferBytes;
        }

        MemorySegment take() {
            MemorySegment buffer = free.poll();
            if (buffer != null) {
                return buffer;
            }
            synchronized (this) {
                return arena.allocate(bufferBytes, 64);
            }
        }

        void give(MemorySegment buffer) {
            free.add(buffer);
        }

        /** After the runtime has stopped: nothing borrows any more. */
        void close() {
            arena.close();
        }
    }

    /** The offset just past the first "\r\n\r\n" at or after {@code from}, or -1. */
    static int requestEnd(MemorySegment buffer, int from, int limit) {
        for (int i = from; i + 3 < limit; i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, i) == '\r' && buffer.get(ValueLayout.JAVA_BYTE, i + 1) == '\n'
                    && buffer.get(ValueLayout.JAVA_BYTE, i + 2) == '\r' && buffer.get(ValueLayout.JAVA_BYTE, i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // keep the flag; the runtime's shutdown below still runs
            }
        } else {
            runtime.blockOn(() -> {
                listener.close();
                return null;
            });
        }
        runtime.shutdown(Duration.ofSeconds(2));
        echoBuffers.close();
    }

    /** {@code MODE PORT THREADS}; runs until SIGTERM/SIGINT, then stops cleanly. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: ci/serve MODE PORT THREADS   (MODE: echo | echo-task | http)");
            System.exit(2);
        }
        Serve server;
        try {
            server = start(args[0].toLowerCase(Locale.ROOT), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        } catch (IllegalArgumentException e) {
            System.err.println("ci/serve: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("krill " + args[0] + " server on 127.0.0.1:" + server.port() + " with " + args[2] + " workers");
        Thread main = Thread.currentThread();
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            main.interrupt();
        }));
        try {
            Thread.currentThread().join(); // until the shutdown hook runs
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt(); // keep the flag: the JVM is exiting
        }
    }
}
