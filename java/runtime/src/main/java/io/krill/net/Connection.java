package io.krill.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A handler-API connection, as a flyweight: the server points this object at the connection a
 * {@link ConnectionHandler} callback is about. Use it only during that callback, on its thread;
 * any other use throws {@link IllegalStateException} (it never acts on another connection's
 * slot by mistake: a closed connection's token is stale, and the check is made on every call).
 *
 * <p>Writes go straight to the socket; what the socket does not take is copied into pooled
 * off-heap chunks and sent when it can be. {@link #write} returns false once the queued bytes
 * reach the server's high watermark: the connection then stops reading (its peer is slowed by
 * TCP itself) until the queue falls to the low watermark and {@link ConnectionHandler#onWritable}
 * is called. A handler that writes only in answer to reads so stays within the watermark.
 *
 * <p>16 bytes of per-connection user state live in the connection's off-heap slot
 * ({@link #getLong}/{@link #putLong}, {@link #getInt}/{@link #putInt}; zero when it opens).
 */
public final class Connection {

    private final ShardDriver driver;
    int index;
    long token;
    boolean active;

    Connection(ShardDriver driver) {
        this.driver = driver;
    }

    /** The connection's token: names it (not its slot) until it closes; see {@link TcpServer#isOpen}. */
    public long token() {
        driver.check(this);
        return token;
    }

    /** False once the connection is closing or {@link #close()} was asked for. */
    public boolean isOpen() {
        driver.check(this);
        return driver.isOpen(index);
    }

    /** Writes all of {@code data} (sent now or queued); false when the queue reached the high watermark. */
    public boolean write(MemorySegment data) {
        return write(data, 0, data.byteSize());
    }

    /**
     * Writes {@code data[offset, offset + length)}; see the class notes.
     *
     * @return false when the queued output reached the high watermark (or the connection failed
     *         on an earlier write: then {@link ConnectionHandler#onClose} follows with the cause)
     * @throws IllegalStateException after {@link #shutdownOutput()} or {@link #close()}
     */
    public boolean write(MemorySegment data, long offset, long length) {
        driver.check(this);
        if (offset < 0 || length < 0 || offset + length > data.byteSize()) {
            throw new IndexOutOfBoundsException("write of [" + offset + ", " + (offset + length) + ") outside a segment of "
                    + data.byteSize() + " bytes");
        }
        return driver.write(index, data, offset, length);
    }

    /** True while the queued output is below the high watermark (or fell back to the low one). */
    public boolean isWritable() {
        driver.check(this);
        return driver.isWritable(index);
    }

    /** Bytes written but not yet taken by the socket. */
    public int queuedBytes() {
        driver.check(this);
        return driver.queuedBytes(index);
    }

    /** Half-close: sends FIN after the queued output; reading goes on. Further writes throw. */
    public void shutdownOutput() {
        driver.check(this);
        driver.shutdownOutput(index);
    }

    /**
     * Closes the connection once this callback returns; queued output not yet sent is dropped
     * (use {@link #shutdownOutput()} to send it all first). Closing twice is harmless.
     */
    public void close() {
        driver.check(this);
        driver.requestClose(index);
    }

    /** The user area's long at {@code offset} (0 or 8). */
    public long getLong(int offset) {
        driver.check(this);
        return driver.table().userLong(index, offset);
    }

    public void putLong(int offset, long value) {
        driver.check(this);
        driver.table().userLong(index, offset, value);
    }

    /** The user area's int at {@code offset} (0 to 12). */
    public int getInt(int offset) {
        driver.check(this);
        return driver.table().userInt(index, offset);
    }

    public void putInt(int offset, int value) {
        driver.check(this);
        driver.table().userInt(index, offset, value);
    }

    /** The peer's address (asks the kernel: not for hot paths). */
    public InetSocketAddress peerAddress() throws IOException {
        driver.check(this);
        return driver.peerAddress(index);
    }

    @Override
    public String toString() {
        return active ? "Connection[token=0x" + Long.toHexString(token) + "]" : "Connection[outside a callback]";
    }
}
