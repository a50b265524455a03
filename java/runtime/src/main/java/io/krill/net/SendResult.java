package io.krill.net;

/**
 * What became of a submission by token to a {@link TcpServer}'s connection from any thread
 * ({@link TcpServer#write(long, byte[])}, {@link TcpServer#closeConnection(long)},
 * {@link TcpServer#execute(long, java.util.function.Consumer)}).
 */
public enum SendResult {

    /**
     * Handed to the connection's worker, which applies it in submission order (per submitting
     * thread) after the callbacks already running. Should the connection close before then, the
     * submission is dropped, as the connection's other queued output is.
     */
    SUBMITTED,

    /**
     * Not submitted, and nothing changed: the shard's submission ring is full, or (for a write)
     * the connection's queued output is at its high watermark. Try again later; a slow reader
     * keeps this answer until it reads.
     */
    BACKPRESSURE,

    /** Not submitted: the token names no open connection of this server (closed, or never its own). */
    CLOSED
}
