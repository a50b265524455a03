package io.krill.net;

import io.krill.internal.reactor.handler.HandlerServer;
import io.krill.internal.task.OffWorker;
import io.krill.internal.task.WorkerContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A TCP server on the handler API: a listener whose connections are served by a
 * {@link ConnectionHandler} with callbacks, without a Java object per connection and without
 * allocation per event. Accepted connections are spread over the runtime's workers (one reactor
 * shard each) round-robin; each shard's connections are served by one driver task.
 *
 * <pre>{@code
 * TcpServer server = runtime.blockOn(() -> TcpServer.bind(address, (connection, data) ->
 *         connection.write(data)));               // an echo server
 * }</pre>
 *
 * Bind on a worker thread (inside a task, or with {@code runtime.blockOn}) or on a virtual thread
 * of {@link io.krill.Runtime#spawnVirtual} (the bind then runs on a worker). {@link #close()} may
 * be called from any thread. A runtime shut down with the server still open closes its
 * descriptors without calling {@link ConnectionHandler#onClose}; close the server first to have
 * every connection see its close.
 */
public final class TcpServer extends HandlerEndpoint {

    /** Netty's defaults: a connection stops being read at 64 KiB queued, resumes at 32 KiB. */
    static final int DEFAULT_LOW_WATERMARK = 32 * 1024;
    static final int DEFAULT_HIGH_WATERMARK = 64 * 1024;
    /** Submissions by token each shard holds before refusing with BACKPRESSURE (guess; tune with SubmitBenchmark). */
    static final int DEFAULT_SUBMISSION_CAPACITY = 1024;

    private TcpServer(HandlerServer engine) {
        super(engine);
    }

    /** Binds {@code address} with the defaults ({@link Builder}) and serves it with {@code handler}. */
    public static TcpServer bind(InetSocketAddress address, ConnectionHandler handler) throws IOException {
        return builder(handler).bind(address);
    }

    public static Builder builder(ConnectionHandler handler) {
        return new Builder(Objects.requireNonNull(handler, "handler"));
    }

    /** Options of a {@link TcpServer}; every setter checks its value. */
    public static final class Builder {

        private final ConnectionHandler handler;
        private int backlog = TcpListener.BACKLOG;
        private boolean reusePort;
        private int lowWatermark = DEFAULT_LOW_WATERMARK;
        private int highWatermark = DEFAULT_HIGH_WATERMARK;
        private int submissionCapacity = DEFAULT_SUBMISSION_CAPACITY;

        private Builder(ConnectionHandler handler) {
            this.handler = handler;
        }

        /** Pending connections the kernel may queue (capped by net.core.somaxconn). */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** SO_REUSEPORT: several servers (processes) may bind the same address; the kernel spreads connections. */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** Queued output at which a connection stops being writable ({@code high}) and becomes so again ({@code low}). */
        public Builder writeBufferWatermarks(int low, int high) {
            checkWatermarks(low, high);
            this.lowWatermark = low;
            this.highWatermark = high;
            return this;
        }

        /**
         * Submissions by token ({@link TcpServer#write(long, byte[])} and friends) that each
         * shard holds before it answers {@link SendResult#BACKPRESSURE}: a power of two, 4 or more.
         */
        public Builder submissionQueueCapacity(int capacity) {
            checkSubmissionCapacity(capacity);
            this.submissionCapacity = capacity;
            return this;
        }

        static void checkWatermarks(int low, int high) {
            if (low < 0 || high < 1 || low > high) {
                throw new IllegalArgumentException("watermarks need 0 <= low <= high and high >= 1, got low " + low
                        + ", high " + high);
            }
        }

        static void checkSubmissionCapacity(int capacity) {
            if (capacity < 4 || Integer.bitCount(capacity) != 1) {
                throw new IllegalArgumentException("submission queue capacity must be a power of two of at least 4, got "
                        + capacity);
            }
        }

        /**
         * Binds and starts serving, on a worker thread; off one (a virtual thread of
         * {@code spawnVirtual}), on a worker of that thread's runtime, waiting for it.
         *
         * @throws AddressInUseException and the like, naming the address
         * @throws IllegalStateException on a thread that belongs to no runtime
         */
        public TcpServer bind(InetSocketAddress address) throws IOException {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("address " + address + " is unresolved: resolve it first");
            }
            if (WorkerContext.current() == null) {
                return OffWorker.call("TcpServer.bind", () -> bind(address)); // #15: back here, on a worker
            }
            return new TcpServer(HandlerServer.bind(address, handler, backlog, reusePort, lowWatermark, highWatermark,
                    submissionCapacity));
        }
    }

    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}
