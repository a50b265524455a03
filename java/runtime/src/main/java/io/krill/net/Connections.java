package io.krill.net;

import io.krill.Task;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The handler-API connections of a {@link TcpServer} or a {@link TcpClient}, reached by token
 * from any thread or task: each call goes through the connection's shard (its submission ring)
 * and is carried out on the connection's worker, in order per calling thread. Code that relays
 * between a server and a client (a proxy) holds both as {@code Connections}.
 */
public interface Connections {

    /**
     * Writes a copy of {@code bytes} to the connection {@code token} names, after what its
     * callbacks wrote before. Never blocks.
     *
     * @return {@link SendResult#SUBMITTED}; {@link SendResult#BACKPRESSURE} (nothing sent) when
     *         the shard's submission ring is full or the connection's queue is at its high
     *         watermark; {@link SendResult#CLOSED} when the token is stale or not this one's
     */
    SendResult write(long token, byte[] bytes);

    /** As {@link #write(long, byte[])}, copying {@code data} (on- or off-heap). */
    SendResult write(long token, MemorySegment data);

    /**
     * Closes the connection on its worker, after what was submitted before; its handler's
     * onClose runs there (cause null), queued output is dropped.
     */
    SendResult closeConnection(long token);

    /**
     * Runs {@code action} on the connection's worker with its {@link Connection}, as a callback
     * of its own (it may write, read its user state, pause or resume reading, shut down or close
     * it; an exception closes the connection with that cause).
     */
    SendResult execute(long token, Consumer<? super Connection> action);

    /**
     * Opens an outbound connection to {@code address} (TCP_NODELAY on), served by the same
     * handler: once connected, onOpen runs (the user area's long at offset 0 already holds
     * {@code userLong0}; an accepted connection's starts at 0, so a handler can tell the two
     * apart), then the task completes with the connection's token. It fails with
     * {@link ConnectionRefusedException} and the like, naming the address, without any
     * callback.
     *
     * <p>Cancel safety: cancelling the task (by {@code Time.timeout}, {@code Task.race}, or
     * {@code cancel()}) before it completes closes the socket without callbacks, also when the
     * connect succeeded at that moment; once the task has completed, the connection is the
     * holder's of the token to close.
     */
    Task<Long> connect(InetSocketAddress address, long userLong0);

    /** True while the connection named by {@code token} is open. */
    boolean isOpen(long token);

    /** Open connections. */
    int connections();
}
