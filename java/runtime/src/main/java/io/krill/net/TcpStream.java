package io.krill.net;

import io.krill.Task;
import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.net.Connecting;
import io.krill.internal.net.Registration;
import io.krill.internal.net.StreamIo;
import io.krill.internal.reactor.Reactor;
import io.krill.internal.task.OffWorker;
import io.krill.internal.task.WorkerContext;
import io.krill.time.Time;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A TCP connection on Krill's reactor. Reads and writes return tasks that wait for readiness
 * instead of blocking; buffers are off-heap {@link MemorySegment}s, handed to the kernel
 * without a copy. Create with {@link #connect} or {@link TcpListener#accept()}. Its operations
 * work from any thread: on a worker they are tasks to compose, and on a virtual thread (of
 * {@link io.krill.Runtime#spawnVirtual}, say) tasks to {@code join()}, which parks only that
 * virtual thread.
 *
 * <p>A buffer is checked before each system call that uses it: off-heap, alive, writable for a
 * read, and, for an operation that may wait, shared (a confined segment belongs to one thread,
 * and the operation may resume on another worker). A refused buffer fails the call with the
 * reason. What no check can catch is a shared arena closed by another thread during the system
 * call itself: JNI cannot hold an FFM scope open. As with memory given to the kernel in C, do
 * not close an arena while an operation that uses its memory is pending.
 *
 * <p>At most one read-side operation ({@code read}, {@code readExact}, {@code readable}, a
 * {@link LineReader}'s {@code nextLine}) and one write-side operation may be pending at a time;
 * to read and write from two tasks at once, {@link #split()} the stream.
 *
 * <p>Errors name the peer: {@link ConnectionRefusedException}, {@link ConnectionResetException},
 * {@link BrokenPipeException}, {@link ConnectionTimedOutException} and the like. Calling a method
 * on a closed stream throws {@link IllegalStateException}; an operation that was pending when the
 * stream was closed fails with {@link SocketClosedException}.
 *
 * <p>Writes are not buffered: {@link #write} hands bytes to the kernel, so {@link #flush()} has
 * nothing to do. An idle stream holds no buffer: wait with {@link #readable()}, then take a
 * buffer and {@link #tryRead}.
 */
public final class TcpStream implements AutoCloseable {

    private final StreamIo io;

    TcpStream(Registration registration, InetSocketAddress peer) {
        this.io = new StreamIo(registration, peer, "this stream was split: use its halves");
    }

    /** The two halves of a split stream. */
    public record Halves(ReadHalf reader, WriteHalf writer) {}

    // ---- connecting --------------------------------------------------------------------------

    /**
     * Connects to {@code address} (TCP_NODELAY on), waiting as long as the kernel does (about
     * two minutes on Linux before {@link ConnectionTimedOutException}). On a worker the stream
     * joins that worker's reactor shard; on a virtual thread of {@code spawnVirtual} the connect
     * runs on a worker of that thread's runtime (#15), and a thread of no runtime gets an
     * {@link IllegalStateException}.
     *
     * <p>Cancel-safe: cancelled before it connects, the socket is closed; a stream that
     * connected as it was given up on (it lost a race, its continuation was cancelled) is
     * closed, not leaked, and a timeout that fires as it connects delivers it.
     *
     * @return a task failing with {@link ConnectionRefusedException}, {@link UnreachableException}
     *         and the like on error, the address in the message
     */
    public static Task<TcpStream> connect(InetSocketAddress address) {
        return connect(address, null, "connect(" + address + ")");
    }

    /**
     * As {@link #connect(InetSocketAddress)}, giving up after {@code timeout}: the task then
     * fails with {@link ConnectionTimedOutException} naming the address and the limit, and the
     * socket is closed.
     */
    public static Task<TcpStream> connect(InetSocketAddress address, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("connect timeout must not be negative, got " + timeout);
        }
        return connect(address, timeout, "connect(" + address + ")");
    }

    private static Task<TcpStream> connect(InetSocketAddress address, Duration timeoutOrNull, String what) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            return Task.failed(new IllegalArgumentException("address " + address + " is unresolved: resolve it first"));
        }
        if (WorkerContext.current() == null) {
            return OffWorker.route(what, () -> connect(address, timeoutOrNull, what)); // #15: back here, on a worker
        }
        ConnectionTable table = Reactor.currentTable();
        int fd;
        try {
            fd = Connecting.start(table.io(), address, what);
        } catch (IOException e) {
            return Task.failed(e);
        }
        long token;
        try {
            token = table.register(fd, Readiness.READABLE | Readiness.WRITABLE, Reactor.currentWorker());
        } catch (IOException | RuntimeException e) {
            table.io().close(fd);
            return Task.failed(e);
        }
        // Connected or in progress: either way the socket reports writable once it is done
        // (an edge-triggered registration of a connected socket reports it at once).
        TcpStream stream = new TcpStream(new Registration(table, token, fd, address.toString()), address);
        Task<TcpStream> connecting = stream.io.registration().ready(Readiness.WRITABLE, "connect")
                .then(writable -> stream.finishConnect(what));
        // Failed, or cancelled (by a timeout, say): the socket must not stay behind.
        connecting.handle((connected, failure) -> {
            if (failure != null) {
                stream.close();
            }
            return null;
        });
        if (timeoutOrNull == null) {
            return connecting;
        }
        return Time.timeout(timeoutOrNull, connecting).handle((connected, failure) -> {
            if (failure == null) {
                return Task.completed(connected);
            }
            stream.close(); // also when the connect succeeded just as the timer fired
            if (failure instanceof TimeoutException) {
                IOException timedOut = Errors.newException(what + " within " + describe(timeoutOrNull), -Errno.ETIMEDOUT.number());
                timedOut.initCause(failure);
                return Task.<TcpStream>failed(timedOut);
            }
            return Task.<TcpStream>failed(failure);
        }).then(outcome -> outcome);
    }

    private Task<TcpStream> finishConnect(String what) {
        int result = (int) io.registration().call("connect", NativeIo::finishConnect);
        if (result < 0) {
            close();
            return Task.failed(Errors.newException(what, result));
        }
        return Task.completed(this);
    }

    private static String describe(Duration limit) {
        return limit.toMillis() < 10_000 ? limit.toMillis() + " ms" : limit.toSeconds() + " s";
    }

    // ---- reading -----------------------------------------------------------------------------

    /**
     * Reads into {@code buffer} (an off-heap segment): the bytes read, waiting until some are
     * there, or -1 at end of stream.
     *
     * <p>Cancel-safe (as Tokio's): cancelled (a timeout, a race) while it waits, it has read
     * nothing; a cancel that comes during its system call waits for the call, and a timeout
     * then delivers what it read; bytes it read that nobody took (it lost a race, its
     * continuation was cancelled before its function ran) go back to the stream, and the next
     * read returns them first. A {@code map} whose function already ran owns what it made of
     * them: race the read itself.
     */
    public Task<Integer> read(MemorySegment buffer) {
        return io.read(buffer);
    }

    /**
     * Reads what is there now, without waiting: the bytes read, 0 when nothing is, -1 at end of
     * stream. With {@link #readable()}, lets an idle connection hold no buffer.
     */
    public int tryRead(MemorySegment buffer) throws IOException {
        return io.tryRead(buffer);
    }

    /**
     * Fills all of {@code buffer}.
     *
     * <p>Cancel-safe, unlike Tokio's {@code read_exact}: cancelled after part of the buffer was
     * filled, those bytes go back to the stream, and the next read returns them first; a
     * {@code readExact} that finished and that nobody took gives all of its bytes back.
     *
     * @return a task failing with {@link java.io.EOFException}, naming how many bytes were
     *         missing, when the stream ends first
     */
    public Task<Void> readExact(MemorySegment buffer) {
        return io.readExact(buffer);
    }

    /**
     * Completes when the stream is readable (data, end of stream or an error is there), holding
     * no buffer. It may complete when a read would still find nothing; {@link #tryRead} says.
     *
     * <p>Cancel-safe: it consumes nothing, so giving it up loses nothing.
     */
    public Task<Void> readable() {
        return io.readable();
    }

    /**
     * Reads lines of at most {@link LineReader#DEFAULT_MAX_LINE_BYTES}, UTF-8, through an
     * off-heap buffer of that size that the garbage collector frees with the reader
     * ({@link Arena#ofAuto()}); {@link #lines(MemorySegment, Charset)} takes a buffer you manage.
     */
    public LineReader lines() {
        io.io("lines");
        return new LineReader(this::read, io.peer().toString(), Arena.ofAuto().allocate(LineReader.DEFAULT_MAX_LINE_BYTES),
                StandardCharsets.UTF_8);
    }

    /** Reads lines through {@code buffer} (its size is the line limit, terminator included), decoded with {@code charset}. */
    public LineReader lines(MemorySegment buffer, Charset charset) {
        io.io("lines");
        return new LineReader(this::read, io.peer().toString(), buffer, charset);
    }

    // ---- writing -----------------------------------------------------------------------------

    /**
     * Writes some of {@code buffer}: the bytes written, waiting for room when there is none.
     *
     * <p>Cancel safety: cancelled while it waits for room, it has written nothing; under a
     * timeout, a write that completed is reported. A write that completes as it loses a race
     * cannot be taken back: its count is lost, so race {@link #writable()} and use
     * {@link #tryWrite} instead.
     */
    public Task<Integer> write(MemorySegment buffer) {
        return io.write(buffer);
    }

    /** Writes what fits now, without waiting: the bytes written, 0 when there is no room. */
    public int tryWrite(MemorySegment buffer) throws IOException {
        return io.tryWrite(buffer);
    }

    /**
     * Writes all of {@code buffer}, as many times as it takes.
     *
     * <p>Not cancel-safe (as Tokio's {@code write_all}): cancelled part-way, some of the buffer
     * may have been sent, and how much is not reported.
     */
    public Task<Void> writeAll(MemorySegment buffer) {
        return io.writeAll(buffer);
    }

    /** Completes when the stream has room for a write (or failed), holding no buffer. Cancel-safe: it takes nothing. */
    public Task<Void> writable() {
        return io.writable();
    }

    /**
     * Completes at once: writes are unbuffered ({@link #write} has given every byte to the
     * kernel when it completes), so there is nothing to flush. For code written against
     * buffered writers.
     */
    public Task<Void> flush() {
        return io.flush();
    }

    /** Half-close: sends FIN; the peer reads end of stream, and this side can still read. */
    public void shutdownOutput() throws IOException {
        io.shutdownOutput();
    }

    // ---- splitting ---------------------------------------------------------------------------

    /**
     * Splits the stream into a read half and a write half, usable from two tasks at once. The
     * socket closes when both halves are closed (closing the write half sends FIN, as Tokio's
     * dropping it does). Afterwards this stream refuses reads and writes;
     * {@link #close()} still closes the socket at once, failing what the halves have pending.
     *
     * @throws IllegalStateException when closed or split before
     */
    public Halves split() {
        Registration registration = io.registration();
        registration.checkOpen("split");
        if (!io.retire()) {
            throw new IllegalStateException("split(" + io.peer() + "): this stream was split before");
        }
        registration.addHandle();
        InetSocketAddress peer = io.peer();
        return new Halves(new ReadHalf(new StreamIo(registration, peer, "this read half is closed")),
                new WriteHalf(new StreamIo(registration, peer, "this write half is closed")));
    }

    // ---- options -----------------------------------------------------------------------------

    /** TCP_NODELAY: send small writes at once instead of coalescing them (Nagle). On by default. */
    public void setNoDelay(boolean on) throws IOException {
        io.setOption("setNoDelay", SocketOption.TCP_NODELAY, on ? 1 : 0);
    }

    public boolean noDelay() throws IOException {
        return io.option("noDelay", SocketOption.TCP_NODELAY) != 0;
    }

    /** SO_KEEPALIVE: probe an idle connection so that a vanished peer is noticed (off by default). */
    public void setKeepAlive(boolean on) throws IOException {
        io.setOption("setKeepAlive", SocketOption.SO_KEEPALIVE, on ? 1 : 0);
    }

    public boolean keepAlive() throws IOException {
        return io.option("keepAlive", SocketOption.SO_KEEPALIVE) != 0;
    }

    /**
     * SO_RCVBUF, a hint: Linux doubles it (for its bookkeeping) and clamps it to
     * {@code net.core.rmem_max}; {@link #receiveBufferSize()} reports what it chose.
     */
    public void setReceiveBufferSize(int bytes) throws IOException {
        io.setOption("setReceiveBufferSize", SocketOption.SO_RCVBUF, positive(bytes, "receive buffer size"));
    }

    public int receiveBufferSize() throws IOException {
        return io.option("receiveBufferSize", SocketOption.SO_RCVBUF);
    }

    /** SO_SNDBUF, a hint: as {@link #setReceiveBufferSize}, with {@code net.core.wmem_max}. */
    public void setSendBufferSize(int bytes) throws IOException {
        io.setOption("setSendBufferSize", SocketOption.SO_SNDBUF, positive(bytes, "send buffer size"));
    }

    public int sendBufferSize() throws IOException {
        return io.option("sendBufferSize", SocketOption.SO_SNDBUF);
    }

    /**
     * SO_LINGER. {@code null} (the default) turns it off: close returns at once and the kernel
     * sends what is left in the background. {@link Duration#ZERO} makes close reset the
     * connection (RST), dropping unsent data.
     *
     * @throws IllegalArgumentException for a positive linger: with one, Linux's close(2) waits up
     *         to that long for unsent data even on a non-blocking socket (measured: 2.01 s for 2 s
     *         with a peer not reading), which would stall a worker and every connection on it. To
     *         know the data arrived, half-close ({@link #shutdownOutput()}) and read to the end.
     */
    public void setLinger(Duration lingerOrNull) throws IOException {
        int seconds = -1;
        if (lingerOrNull != null) {
            if (lingerOrNull.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative, got " + lingerOrNull + " (null turns it off)");
            }
            if (!lingerOrNull.isZero()) {
                throw new IllegalArgumentException("a linger of " + lingerOrNull + " is refused: close(2) would wait up to that"
                        + " long for unsent data even on a non-blocking socket, stalling its worker; use null (the kernel"
                        + " sends the rest in the background) or Duration.ZERO (reset), and shutdownOutput() then read"
                        + " to the end to know the peer has everything");
            }
            seconds = 0;
        }
        io.setOption("setLinger", SocketOption.SO_LINGER, seconds);
    }

    /** The SO_LINGER time; empty when off. */
    public Optional<Duration> linger() throws IOException {
        int seconds = io.option("linger", SocketOption.SO_LINGER);
        return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }

    private static int positive(int bytes, String what) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + bytes);
        }
        return bytes;
    }

    // ---- addresses and lifetime --------------------------------------------------------------

    public InetSocketAddress peerAddress() {
        return io.peer();
    }

    /** The local end's address. */
    public InetSocketAddress localAddress() throws IOException {
        return io.localAddress();
    }

    /** True until the socket is closed (by {@link #close()}, or by closing both halves). */
    public boolean isOpen() {
        return io.registration().isOpen();
    }

    /**
     * Closes the connection now (also after {@link #split()}); pending operations fail with
     * {@link SocketClosedException}, later calls throw {@link IllegalStateException}. Closing
     * twice is harmless.
     */
    @Override
    public void close() {
        io.registration().close();
    }

    @Override
    public String toString() {
        return "TcpStream[" + io.peer() + (isOpen() ? "" : ", closed") + (io.isRetired() ? ", split" : "") + "]";
    }
}
