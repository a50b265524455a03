package io.krill.net;

import io.krill.Task;
import io.krill.internal.reactor.handler.HandlerServer;
import java.net.InetSocketAddress;
import java.util.Objects;

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
public final class TcpClient extends HandlerEndpoint {

    private TcpClient(HandlerServer engine) {
        super(engine);
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

    @Override
    public String toString() {
        return "TcpClient[" + connections() + " connections" + (engine.isCloseRequested() ? ", closed" : "") + "]";
    }
}
