package io.krill.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A handler-API connection, as a flyweight: the server points one object at the connection a
 * {@link ConnectionHandler} callback is about. Use it only during that callback, on its thread;
 * any other use throws {@link IllegalStateException} (it never acts on another connection's
 * slot by mistake: a closed connection's token is stale, and the check is made on every call).
 * The runtime implements this interface; an implementation of one's own is only good for tests
 * of a handler.
 *
 * <p>Writes go straight to the socket; what the socket does not take is copied into pooled
 * off-heap chunks and sent when it can be. {@link #write} answers
 * {@link WriteResult#ABOVE_HIGH_WATERMARK} once the queued bytes reach the server's high watermark: the connection then stops reading (its peer is slowed by
 * TCP itself) until the queue falls to the low watermark and {@link ConnectionHandler#onWritable}
 * is called. A handler that writes only in answer to reads so stays within the watermark.
 *
 * <p>16 bytes of per-connection user state live in the connection's off-heap slot
 * ({@link #getLong}/{@link #putLong}, {@link #getInt}/{@link #putInt}; zero when it opens).
 */
public interface Connection {

    /** The connection's token: names it (not its slot) until it closes; see {@link TcpServer#isOpen}. */
    long token();

    /** False once the connection is closing or {@link #close()} was asked for. */
    boolean isOpen();

    /** Writes all of {@code data} (sent now or queued); see {@link #write(MemorySegment, long, long)}. */
    default WriteResult write(MemorySegment data) {
        return write(data, 0, data.byteSize());
    }

    /**
     * Writes {@code data[offset, offset + length)}; see the interface notes.
     *
     * @return {@link WriteResult#WRITTEN}; {@link WriteResult#ABOVE_HIGH_WATERMARK} when the
     *         bytes were queued and the queue reached the high watermark (wait for onWritable);
     *         {@link WriteResult#FAILED} when the connection failed and nothing was written
     *         ({@link ConnectionHandler#onClose} follows with the cause)
     * @throws IllegalStateException after {@link #shutdownOutput()} or {@link #close()}
     */
    WriteResult write(MemorySegment data, long offset, long length);

    /** True while the queued output is below the high watermark (or fell back to the low one). */
    boolean isWritable();

    /** Bytes written but not yet taken by the socket. */
    int queuedBytes();

    /**
     * Stops reading this connection: no onData until {@link #resumeReading()}; what the peer
     * sends waits in the kernel, and TCP slows the peer once that fills (Netty's
     * {@code autoRead(false)}). A proxy pauses a side until the other can take its bytes.
     */
    void pauseReading();

    /** Reads again after {@link #pauseReading()}, starting with what waited meanwhile. */
    void resumeReading();

    /**
     * Closes the connection with a {@link ReadTimeoutException} (to onClose) once it has read
     * nothing for {@code timeout}, counted from now and from each read; {@code null} or zero
     * turns it off. Checked lazily by one timer per connection (re-armed for the rest when it
     * read meanwhile), so the limit is kept to about a millisecond, and a busy connection costs
     * one timer per limit, not one per read.
     */
    void setReadTimeout(java.time.Duration timeout);

    /**
     * Closes the connection with an {@link IdleTimeoutException} once it has neither read nor
     * written anything for {@code timeout} (bytes taken by the kernel count as written), counted
     * from now; {@code null} or zero turns it off. Checked as {@link #setReadTimeout} is.
     */
    void setIdleTimeout(java.time.Duration timeout);

    /** Half-close: sends FIN after the queued output; reading goes on. Further writes throw. */
    void shutdownOutput();

    /**
     * Closes the connection once this callback returns; queued output not yet sent is dropped
     * (use {@link #shutdownOutput()} to send it all first). Closing twice is harmless.
     */
    void close();

    /** The user area's long at {@code offset} (0 to 8). */
    long getLong(int offset);

    void putLong(int offset, long value);

    /** The user area's int at {@code offset} (0 to 12). */
    int getInt(int offset);

    void putInt(int offset, int value);

    /**
     * The connections of the server or client this one belongs to, to reach others (or this one,
     * later) by token from inside a callback: a chat writes a line to every other member.
     */
    Connections owner();

    /** The peer's address (asks the kernel: not for hot paths). */
    InetSocketAddress peerAddress() throws IOException;
}
