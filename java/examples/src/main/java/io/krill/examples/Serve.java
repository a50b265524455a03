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
 *   <li>{@code echo-vthread}: echoes every byte in blocking style (#15), a virtual thread of
 *       {@code runtime.spawnVirtual} per connection joining Krill's read and write tasks;</li>
 *   <li>{@code http}: answers each pipelined request (ended by an empty line) with
 *       {@code HTTP/1.1 200 OK}, {@code Content-Length: 5}, body {@code Hello}, keep-alive, in
 *       order, with the handler API ({@link HttpHandler}): no Java object per connection, no
 *       allocation per read;</li>
 *   <li>{@code http-task}: the same server written with the Task API ({@link HttpConnection}),
 *       the same promises (431 above {@link #MAX_HEAD_BYTES}, the head and idle timeouts of
 *       {@link Limits}).</li>
 * </ul>
 */
public final class Serve implements AutoCloseable {

    static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello".getBytes(StandardCharsets.US_ASCII);
    /** Bytes per request read (guess: a burst of pipelined GETs); borrowed, never held by an idle connection. */
    static final int REQUEST_BUFFER_BYTES = 16 * 1024;
    /** The longest request head answered; longer gets 431 (nginx's default large header buffer is 8 KiB). */
    static final int MAX_HEAD_BYTES = 8 * 1024;
    /** nginx's keepalive_timeout is 75 s and client_header_timeout 60 s; a demo server can be stricter. */
    static final Limits DEFAULT_LIMITS = new Limits(Duration.ofSeconds(60), Duration.ofSeconds(10));
    static final byte[] HEAD_TOO_LARGE = ("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    /** Responses sent by one write at most (guess: a pipelining client rarely has more in flight). */
    static final int RESPONSES_PER_WRITE = 64;
    /**
     * Bytes a connection reads in one step before it yields to the others (guess: a few reads'
     * worth; the step budget counts awaits, and 128 full reads of requests to parse and answer
     * held one worker for milliseconds while a slow reader's backlog was drained).
     */
    static final int BYTES_PER_STEP = 64 * 1024;
    /** Bytes per read for echo (guess: one loopback segment burst). */
    static final int ECHO_BUFFER_BYTES = 64 * 1024;
    /**
     * The handler-API http server's write watermarks: Netty's defaults, as {@link TcpServer}'s,
     * named here because the tests bound a slow reader's queue by the high one.
     */
    static final int HTTP_LOW_WATERMARK_BYTES = 32 * 1024;
    static final int HTTP_HIGH_WATERMARK_BYTES = 64 * 1024;
    /** The modes {@link #start} knows, as ci/serve lists them. */
    static final java.util.List<String> MODES = java.util.List.of("echo", "echo-task", "echo-vthread", "http", "http-task");

    /** {@link #RESPONSES_PER_WRITE} copies of the response back to back, off-heap (both http servers write slices of it). */
    private static final MemorySegment RESPONSES = repeated(RESPONSE, RESPONSES_PER_WRITE);
    private static final MemorySegment HEAD_TOO_LARGE_BLOCK = repeated(HEAD_TOO_LARGE, 1);

    /** The handler-API echo: writes back what it reads, within the read callback. */
    static final ConnectionHandler ECHO = (connection, data) -> connection.write(data);

    private final Runtime runtime;
    private final TcpListener listener; // Task-API modes
    private final TcpServer server;     // handler-API modes
    private final HttpHandler http;     // mode http, else null
    private final BufferPool echoBuffers = new BufferPool(ECHO_BUFFER_BYTES);
    private final SharedBufferPool sharedEchoBuffers = new SharedBufferPool(ECHO_BUFFER_BYTES);
    private final BufferPool requestBuffers = new BufferPool(REQUEST_BUFFER_BYTES);
    private final MemorySegment headTooLarge = HEAD_TOO_LARGE_BLOCK;
    private final Limits limits;
    /** {@link #RESPONSES_PER_WRITE} copies of the response back to back: k answers are one slice, one write. */
    private final MemorySegment responses = RESPONSES;

    private Serve(Runtime runtime, TcpListener listener, TcpServer server, HttpHandler http, Limits limits) {
        this.runtime = runtime;
        this.limits = limits;
        this.listener = listener;
        this.server = server;
        this.http = http;
    }

    /** Starts a server; {@code port} 0 picks a free one ({@link #port()}). */
    public static Serve start(String mode, int port, int threads) {
        return start(mode, port, threads, DEFAULT_LIMITS);
    }

    /** As {@link #start(String, int, int)}, with the HTTP server's idle and head timeouts. */
    static Serve start(String mode, int port, int threads, Limits limits) {
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("unknown mode '" + mode + "': use echo, echo-task, echo-vthread, http or http-task");
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
                return new Serve(runtime, null, runtime.blockOn(() -> TcpServer.bind(address, ECHO)), null, limits);
            }
            if (mode.equals("http")) {
                HttpHandler http = new HttpHandler(RESPONSES, HEAD_TOO_LARGE_BLOCK, limits);
                TcpServer server = runtime.blockOn(() -> TcpServer.builder(http)
                        .writeBufferWatermarks(HTTP_LOW_WATERMARK_BYTES, HTTP_HIGH_WATERMARK_BYTES)
                        .bind(address));
                return new Serve(runtime, null, server, http, limits);
            }
            if (mode.equals("echo-vthread")) {
                Serve server = new Serve(runtime, runtime.spawnVirtual(() -> TcpListener.bind(address)).join(), null, null, limits);
                runtime.spawnVirtual(server::acceptVirtual);
                return server;
            }
            TcpListener listener = runtime.blockOn(() -> TcpListener.bind(address));
            Serve server = new Serve(runtime, listener, null, null, limits);
            runtime.spawn(server.new AcceptLoop(mode.equals("http-task")));
            return server;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** Request buffers the Task-API HTTP server has made: the most it ever lent at once, not one per connection (none for http). */
    int requestBuffersMade() {
        return requestBuffers.allocated();
    }

    /**
     * The handler-API HTTP server's largest queue: the most bytes one connection had queued after
     * a write that reached the high watermark (0 if none did); -1 in other modes.
     */
    int httpMostQueuedBytes() {
        return http == null ? -1 : http.mostQueuedBytes();
    }

    /** Echo buffers the echo-vthread server has made: the most it ever lent at once. */
    int sharedEchoBuffersMade() {
        return sharedEchoBuffers.allocated();
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
                    // The listener was closed, or broke (EBADF, EINVAL …): stop accepting. Failures
                    // that pass (out of descriptors, buffers or memory, EPROTO, epoll's watch
                    // limit) never get here: accept() backs off and retries them itself.
                    step.fail(failure);
                    return;
                }
                TcpStream stream = accepting.resultNow();
                accepting = null;
                runtime.spawn(http ? new HttpConnection(stream) : new EchoConnection(stream, echoBuffers));
            }
        }
    }

    /**
     * {@code echo-vthread}: accepts until closed, in blocking style, one virtual thread per
     * connection. It ends when the listener is closed; a broken listener ends it with its
     * failure, as {@link AcceptLoop}'s.
     */
    private Void acceptVirtual() {
        for (;;) {
            TcpStream stream;
            try {
                stream = listener.accept().join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof io.krill.net.SocketClosedException) {
                    return null; // closed by close(): the loop's end
                }
                throw e;
            }
            runtime.spawnVirtual(() -> echoVirtual(stream));
        }
    }

    /**
     * One {@code echo-vthread} connection: {@link EchoConnection}'s loop in blocking style. It
     * waits for readability holding no buffer, as that coroutine does, so an idle connection
     * costs its virtual thread and not 64 KiB; the buffer comes from a pool shared by all
     * threads ({@link BufferPool} keeps its free buffers per thread, and each virtual thread
     * would then make its own).
     */
    private Void echoVirtual(TcpStream stream) {
        try (stream) {
            for (;;) {
                stream.readable().join(); // parks this virtual thread until the reactor says so
                MemorySegment buffer = sharedEchoBuffers.take();
                try {
                    int n = stream.tryRead(buffer);
                    if (n < 0) {
                        return null; // end of stream
                    }
                    if (n > 0) {
                        stream.writeAll(buffer.asSlice(0, n)).join();
                    }
                } finally {
                    sharedEchoBuffers.give(buffer);
                }
            }
        } catch (java.io.IOException | java.util.concurrent.CompletionException e) {
            return null; // a peer's reset or a broken pipe is how connections end on a server, as in finish()
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
        private int stepBytes;        // echoed during the current step

        EchoConnection(TcpStream stream, BufferPool buffers) {
            this.stream = stream;
            this.buffers = buffers;
        }

        @Override
        public void resume(Step<Void> step) {
            stepBytes = 0;
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
                    if (stepBytes >= BYTES_PER_STEP) {
                        step.yieldNow(); // a peer that always has data must not hold the worker
                        return;
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
                    stepBytes += n;
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
     * HTTP/1.1 keep-alive, written for memory under attack as well as for speed:
     * <ul>
     *   <li>an idle connection holds no buffer: it waits for readability, then borrows one from
     *       the pool for the read and gives it back as soon as no partial request is left;</li>
     *   <li>a partial request keeps its borrowed buffer and the next read appends to it; the
     *       scan for the head's end ({@link HeadScanner}) resumes where the last one stopped, so
     *       a head dripped one byte at a time costs linear time, not quadratic;</li>
     *   <li>a head longer than {@link #MAX_HEAD_BYTES} is answered with 431 and the connection
     *       closed; a head not complete {@code headTimeout} after its first byte, or a connection
     *       with no byte in either direction for {@code idleTimeout}, is closed by its
     *       {@link Watchdog};</li>
     *   <li>responses are written from one shared constant block (no buffer per connection); a
     *       client that does not read them stalls only itself: no more is read from it until its
     *       answers are gone, so it costs its socket buffers and nothing here.</li>
     * </ul>
     */
    final class HttpConnection implements Coroutine<Void> {
        private final TcpStream stream;
        private final Watchdog watchdog;
        private MemorySegment held; // borrowed while a partial request is kept, else null
        private final HeadScanner heads = new HeadScanner(MAX_HEAD_BYTES); // what held holds
        private int owed;           // responses still to write
        private boolean closing;    // answer the 431, then close
        private int stepBytes;      // read during the current step
        private Task<Void> readable;
        private Task<Void> writing;

        HttpConnection(TcpStream stream) {
            this.stream = stream;
            this.watchdog = new Watchdog(stream, limits);
        }

        @Override
        public void resume(Step<Void> step) {
            stepBytes = 0;
            try {
                for (;;) {
                    if (writing != null) {
                        if (!step.await(writing)) {
                            return;
                        }
                        Throwable failure = writing.failureNow();
                        writing = null;
                        watchdog.active(held != null, false);
                        if (failure != null || closing) {
                            end(step, failure);
                            return;
                        }
                    }
                    if (owed > 0) {
                        int batch = Math.min(owed, RESPONSES_PER_WRITE); // one write for many answers
                        owed -= batch;
                        writing = stream.writeAll(responses.asSlice(0, (long) batch * RESPONSE.length));
                        continue;
                    }
                    if (stepBytes >= BYTES_PER_STEP) {
                        step.yieldNow(); // answered what it read: a flood of pipelined requests must not hold the worker
                        return;
                    }
                    if (readable == null) {
                        readable = stream.readable();
                    }
                    if (!step.await(readable)) {
                        return; // waiting: an idle connection holds no buffer here
                    }
                    Throwable failure = readable.failureNow();
                    readable = null;
                    if (failure != null) {
                        end(step, watchdog.expired() ? null : failure); // the watchdog closed it: not an error
                        return;
                    }
                    if (!readSome()) {
                        end(step, null); // end of stream
                        return;
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                end(step, e);
            }
        }

        /** One read and the requests it completes; false at end of stream. */
        private boolean readSome() throws java.io.IOException {
            if (held == null) {
                held = requestBuffers.take();
                heads.reset();
            }
            int n = stream.tryRead(held.asSlice(heads.filled()));
            if (n <= 0) {
                if (n < 0 || !heads.partial()) {
                    release(); // nothing partial to keep (or the peer is gone)
                }
                return n == 0; // 0: woken with nothing there yet, the partial request kept
            }
            stepBytes += n;
            int completed = heads.append(held, n);
            owed += completed;
            if (heads.tooLarge()) {
                release();
                owed = 0; // the answers before it are not owed to a client that broke the protocol
                closing = true;
                writing = stream.writeAll(headTooLarge);
            } else if (!heads.partial()) {
                release(); // nothing partial: the buffer goes back to the pool
            }
            watchdog.active(held != null, completed > 0);
            return true;
        }

        private void release() {
            if (held != null) {
                requestBuffers.give(held);
                held = null;
            }
        }

        private void end(Step<Void> step, Throwable failure) {
            release();
            watchdog.stop();
            finish(stream, step, failure);
        }
    }

    /** How long a connection may sit idle, and how long a request head may take to arrive. */
    record Limits(Duration idle, Duration head) {}

    /**
     * A connection's timer, one sleep per period rather than one timer per request (as Netty's
     * IdleStateHandler): the connection only stamps its last activity and when its partial
     * head began; the watchdog wakes at the earliest moment a limit could be passed (at least
     * every head timeout, since a head may begin at any moment), and either sleeps again or
     * closes the stream, which ends the connection's pending wait. Both limits hold to the
     * timer's resolution.
     */
    final class Watchdog implements Coroutine<Void> {
        private static final java.lang.invoke.VarHandle LAST_ACTIVE;
        private static final java.lang.invoke.VarHandle HEAD_SINCE;

        static {
            try {
                java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
                LAST_ACTIVE = lookup.findVarHandle(Watchdog.class, "lastActive", long.class);
                HEAD_SINCE = lookup.findVarHandle(Watchdog.class, "headSince", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final TcpStream stream;
        private final long idleNanos;
        private final long headNanos;
        // Stamped by the connection's steps, read by the watchdog's (either worker): opaque is enough,
        // a stale reading only moves the check by one period.
        private long lastActive = System.nanoTime();
        private long headSince; // 0: no partial head
        private volatile boolean stopped;
        private volatile boolean expired;
        private volatile Task<Void> sleeping;

        Watchdog(TcpStream stream, Limits limits) {
            this.stream = stream;
            this.idleNanos = limits.idle().toNanos();
            this.headNanos = limits.head().toNanos();
            runtime.spawn(this);
        }

        /**
         * Bytes moved; {@code partialHead}: a request head is incomplete (its clock keeps running,
         * unless {@code headsEnded}: the bytes that ended the heads before it began it, so its
         * clock starts now).
         */
        void active(boolean partialHead, boolean headsEnded) {
            long now = System.nanoTime();
            LAST_ACTIVE.setOpaque(this, now);
            long since = (long) HEAD_SINCE.getOpaque(this);
            if (!partialHead) {
                if (since != 0) {
                    HEAD_SINCE.setOpaque(this, 0L);
                }
            } else if (since == 0 || headsEnded) {
                HEAD_SINCE.setOpaque(this, now);
            }
        }

        void stop() {
            stopped = true;
            Task<Void> s = sleeping;
            if (s != null) {
                s.cancel(); // the watchdog wakes, sees stopped, ends
            }
        }

        boolean expired() {
            return expired;
        }

        @Override
        public void resume(Step<Void> step) {
            for (;;) {
                if (sleeping != null) {
                    if (!step.await(sleeping)) {
                        return;
                    }
                    sleeping = null;
                }
                if (stopped) {
                    step.complete(null);
                    return;
                }
                long now = System.nanoTime();
                long since = (long) HEAD_SINCE.getOpaque(this);
                long idleLeft = (long) LAST_ACTIVE.getOpaque(this) + idleNanos - now;
                long headLeft = since == 0 ? Long.MAX_VALUE : since + headNanos - now;
                long left = Math.min(idleLeft, headLeft);
                if (left <= 0) {
                    expired = true;
                    stream.close();
                    step.complete(null);
                    return;
                }
                // A head may start while we sleep: never sleep past a head timeout from now.
                Task<Void> sleep = io.krill.time.Time.sleep(Duration.ofNanos(since == 0 ? Math.min(left, headNanos) : left));
                sleeping = sleep;
                if (stopped) {
                    sleep.cancel(); // stop() ran before the store above and found nothing to cancel
                }
            }
        }
    }

    /**
     * Ends a connection's coroutine: closes its stream, then completes the task, or fails it for
     * a bug. A peer's reset, a broken pipe or a close by the watchdog is how connections end on
     * a server, not an error to report: those complete normally.
     */
    private static void finish(TcpStream stream, Step<Void> step, Throwable failure) {
        stream.close();
        if (failure == null || failure instanceof java.io.IOException) {
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

    /**
     * Off-heap buffers lent to connections for one read (and its write, or a partial request):
     * as many as are ever busy at once. Free buffers are kept per thread (a worker's stack, no
     * allocation per loan); a buffer taken on one worker and given back on another moves there.
     */
    static final class BufferPool {
        private final Arena arena = Arena.ofShared();
        private final ThreadLocal<java.util.ArrayDeque<MemorySegment>> free = ThreadLocal.withInitial(java.util.ArrayDeque::new);
        private final int bufferBytes;
        private int allocated; // under the pool's lock

        BufferPool(int bufferBytes) {
            this.bufferBytes = bufferBytes;
        }

        MemorySegment take() {
            MemorySegment buffer = free.get().pollLast();
            if (buffer != null) {
                return buffer;
            }
            synchronized (this) {
                allocated++;
                return arena.allocate(bufferBytes, 64);
            }
        }

        /** Buffers made so far: the most ever lent at once. */
        synchronized int allocated() {
            return allocated;
        }

        void give(MemorySegment buffer) {
            free.get().addLast(buffer);
        }

        /** After the runtime has stopped: nothing borrows any more. */
        void close() {
            arena.close();
        }
    }

    /**
     * {@link BufferPool} for virtual threads: one free list for all threads, under a lock (a
     * virtual thread parks on it instead of pinning its carrier since JDK 24). As many buffers
     * as are ever lent at once.
     */
    static final class SharedBufferPool {
        private final Arena arena = Arena.ofShared();
        private final java.util.ArrayDeque<MemorySegment> free = new java.util.ArrayDeque<>(); // under the pool's lock
        private final int bufferBytes;
        private int allocated; // under the pool's lock

        SharedBufferPool(int bufferBytes) {
            this.bufferBytes = bufferBytes;
        }

        synchronized MemorySegment take() {
            MemorySegment buffer = free.pollLast();
            if (buffer != null) {
                return buffer;
            }
            allocated++;
            return arena.allocate(bufferBytes, 64);
        }

        /** Buffers made so far: the most ever lent at once. */
        synchronized int allocated() {
            return allocated;
        }

        synchronized void give(MemorySegment buffer) {
            free.addLast(buffer);
        }

        /** After the runtime has stopped: nothing borrows any more. */
        void close() {
            arena.close();
        }
    }

    /** The native calls the runtime made so far (tests count a burst's writes with it). */
    long nativeCalls() {
        return runtime.metrics().nativeCalls();
    }

    /** What the runtime did for its I/O so far, for the line printed when the server stops. */
    String ioSummary() {
        io.krill.RuntimeMetrics metrics = runtime.metrics();
        return String.format(Locale.ROOT, "backend %s, %,d native calls for %,d I/O events (%.2f per event)",
                metrics.backend(), metrics.nativeCalls(), metrics.ioEvents(), metrics.nativeCallsPerEvent());
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
        sharedEchoBuffers.close();
        requestBuffers.close();
    }

    /** {@code MODE PORT THREADS}; runs until SIGTERM/SIGINT, then stops cleanly. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: ci/serve MODE PORT THREADS   (MODE: echo | echo-task | echo-vthread | http | http-task)");
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
            System.out.println("krill " + args[0] + " server stopped: " + server.ioSummary());
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
