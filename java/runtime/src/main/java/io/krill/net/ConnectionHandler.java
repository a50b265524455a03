package io.krill.net;

import java.lang.foreign.MemorySegment;

/**
 * Callbacks of a {@link TcpServer}: the handler API, for servers that want no Java object per
 * idle connection and no allocation per event.
 *
 * <p>Each callback gets the connection as a flyweight: a {@link Connection} object that the
 * server re-points at the connection being served. It is valid only during the callback, on
 * the calling thread; to remember a connection, keep its {@link Connection#token() token} or
 * its per-connection state in the slot's {@linkplain Connection#putLong user area}. Callbacks of
 * one connection never run concurrently. They run on a worker: they must not block.
 *
 * <p>An exception thrown by a callback closes that connection; {@link #onClose} receives it.
 */
public interface ConnectionHandler {

    /** A connection was accepted; before any other callback of it. */
    default void onOpen(Connection connection) {}

    /**
     * Bytes arrived: {@code data}, a view of exactly the bytes read, into the worker's read
     * buffer. It is valid only during this call: copy what must outlive it.
     */
    void onData(Connection connection, MemorySegment data);

    /**
     * The connection's queued output fell back to the low watermark after it had reached the
     * high one ({@link Connection#write} answered {@link WriteResult#ABOVE_HIGH_WATERMARK}): it is
     * worth writing again. Reading,
     * paused meanwhile, resumes after this callback.
     */
    default void onWritable(Connection connection) {}

    /**
     * The peer finished sending (end of stream). By default this side finishes too: queued
     * output is sent, then FIN, then the connection closes.
     */
    default void onReadEnd(Connection connection) {
        connection.shutdownOutput();
    }

    /**
     * The connection is closing: by {@link Connection#close()}, after both directions ended, on
     * an error ({@code cause}, e.g. {@link ConnectionResetException}), or because the server
     * closes ({@code cause} null). The user area is still readable; writes are refused.
     */
    default void onClose(Connection connection, Throwable cause) {}
}
