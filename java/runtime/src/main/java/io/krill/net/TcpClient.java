package io.krill.net;

import io.krill.Task;
import io.krill.internal.reactor.handler.HandlerServer;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Outbound TCP connections on the handler API: each {@link #connect} opens a connection served
 * by this client's {@link ConnectionHandler}, with the same callbacks, flyweight, off-heap state
 * and watermarks as a {@link TcpServer}'s accepted ones, and the same by-token calls from any
 * thread. A proxy is a server and a client whose handlers relay to each other by token.
 *
 * <pre>{@code
 * TcpClient client = runtime.blockOn(() -> TcpClient.builder(handler).build());
 * Task<Long> token = client.connect(address);   // completes after the handler's onOpen
 * }</pre>
 *
 * Build on a worker thread; {@link #connect} and the by-token calls work from any thread.
 */
public final class TcpClient implements Connections, AutoCloseable {

    private final HandlerServer engine;

    private TcpClient(HandlerServer engine) {
        this.engine = engine;
    }

    public static Builder builder(ConnectionHandler handler) {
        return new Builder(Objects.requireNonNull(handler, "handler"));
    }

    /** Options of a {@link TcpClient}; every setter checks its value. */
    public static final class Builder {

        private final ConnectionHandler handler;
        private int lowWatermark = TcpServer.DEFAULT_LOW_WATERMARK;
        private int highWatermark = TcpServer.DEFAULT_HIGH_WATERMARK;
        private int submissionCapacity = TcpServer.DEFAULT_SUBMISSION_CAPACITY;

        private Builder(ConnectionHandler handler) {
            this.handler = handler;
        }

        /** As {@link TcpServer.Builder#writeBufferWatermarks}. */
        public Builder writeBufferWatermarks(int low, int high) {
            TcpServer.Builder.checkWatermarks(low, high);
            this.lowWatermark = low;
            this.highWatermark = high;
            return this;
        }

        /** As {@link TcpServer.Builder#submissionQueueCapacity}. */
        public Builder submissionQueueCapacity(int capacity) {
            TcpServer.Builder.checkSubmissionCapacity(capacity);
            this.submissionCapacity = capacity;
            return this;
        }

        /** Starts the client's drivers. Must run on a worker thread. */
        public TcpClient build() {
            return new TcpClient(HandlerServer.client(handler, lowWatermark, highWatermark, submissionCapacity));
        }
    }

    /**
     * Connects to {@code address} (TCP_NODELAY on), as long as the kernel takes (about two
     * minutes on Linux); see {@link #connect(InetSocketAddress, long)}.
     */
    public Task<Long> connect(InetSocketAddress address) {
        return connect(address, 0L);
    }

    /** Connects to {@code address}; see {@link Connections#connect}. Any thread. */
    @Override
    public Task<Long> connect(InetSocketAddress address, long userLong0) {
        return engine.connect(address, userLong0);
    }

    @Override
    public SendResult write(long token, byte[] bytes) {
        return engine.write(token, bytes);
    }

    @Override
    public SendResult write(long token, MemorySegment data) {
        return engine.write(token, data);
    }

    @Override
    public SendResult closeConnection(long token) {
        return engine.closeConnection(token);
    }

    @Override
    public SendResult execute(long token, Consumer<? super Connection> action) {
        return engine.execute(token, action);
    }

    @Override
    public boolean isOpen(long token) {
        return engine.isOpen(token);
    }

    /** Open connections (connected and not yet closed). */
    @Override
    public int connections() {
        return engine.connections();
    }

    /** Closes every connection (onClose, cause null) and fails the connects in flight. Any thread. */
    @Override
    public void close() {
        engine.close();
    }

    /** Completes once the client is closed and every driver has finished. */
    public Task<Void> closed() {
        return engine.closed();
    }

    /** Closes and waits up to {@code timeout} (off a worker thread). */
    public boolean close(Duration timeout) throws InterruptedException {
        close();
        try {
            engine.closed().join(timeout);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "TcpClient[" + connections() + " connections" + (engine.isCloseRequested() ? ", closed" : "") + "]";
    }
}
