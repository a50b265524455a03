package io.krill.net;

import io.krill.Promise;
import io.krill.Task;
import io.krill.internal.executor.MultiThreadScheduler;
import io.krill.internal.executor.WorkerThread;
import io.krill.internal.jni.Errors;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.Reactor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on the handler API: a listener whose connections are served by a
 * {@link ConnectionHandler} with callbacks, without a Java object per connection and without
 * allocation per event. Accepted connections are spread over the runtime's workers (one reactor
 * shard each) round-robin; each shard's connections are served by one driver task.
 *
 * <pre>{@code
 * TcpServer server = runtime.blockOn(() -> TcpServer.bind(address, (connection, buffer, length) ->
 *         connection.write(buffer, 0, length)));               // an echo server
 * }</pre>
 *
 * Bind on a worker thread (inside a task, or with {@code runtime.blockOn}). {@link #close()} may
 * be called from any thread. A runtime shut down with the server still open closes its
 * descriptors without calling {@link ConnectionHandler#onClose}; close the server first to have
 * every connection see its close.
 */
public final class TcpServer implements AutoCloseable {

    /** Netty's defaults: a connection stops being read at 64 KiB queued, resumes at 32 KiB. */
    static final int DEFAULT_LOW_WATERMARK = 32 * 1024;
    static final int DEFAULT_HIGH_WATERMARK = 64 * 1024;

    private static final AcceptWarning WARNING = new AcceptWarning(TcpServer.class); // made at class load: see its notes

    private final ConnectionTable table;
    private final ShardDriver[] drivers;
    private int group;
    private final int lowWatermark;
    private final int highWatermark;
    private final Promise<Void> closed = Task.promise();
    private final AtomicInteger driversRunning;
    private final AtomicInteger connections = new AtomicInteger();
    private InetSocketAddress local;
    private long listenerToken;
    private int listenerShard;
    private int nextShard; // accepting driver only
    private volatile boolean closeRequested;
    private volatile boolean listenerClosed;
    private volatile boolean acceptFailureLogged;

    private TcpServer(ConnectionTable table, MultiThreadScheduler scheduler, ConnectionHandler handler, int low, int high) {
        this.table = table;
        this.lowWatermark = low;
        this.highWatermark = high;
        this.drivers = new ShardDriver[scheduler.workerCount()];
        this.driversRunning = new AtomicInteger(drivers.length);
        for (int shard = 0; shard < drivers.length; shard++) {
            drivers[shard] = new ShardDriver(scheduler, this, shard, table, handler);
        }
    }

    /** Joins the table: from now on events of this server's slots reach its drivers. */
    private void register() {
        ShardDriver[] shards = drivers;
        group = table.addGroup((owner, index) -> shards[owner].enqueue(index));
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
            if (low < 0 || high < 1 || low > high) {
                throw new IllegalArgumentException("watermarks need 0 <= low <= high and high >= 1, got low " + low
                        + ", high " + high);
            }
            this.lowWatermark = low;
            this.highWatermark = high;
            return this;
        }

        /**
         * Binds and starts serving. Must run on a worker thread.
         *
         * @throws AddressInUseException and the like, naming the address
         */
        public TcpServer bind(InetSocketAddress address) throws IOException {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("address " + address + " is unresolved: resolve it first");
            }
            ConnectionTable table = Reactor.currentTable();
            if (!(WorkerThread.currentScheduler() instanceof MultiThreadScheduler scheduler)) {
                throw new IllegalStateException("TcpServer.bind must run on a Krill worker thread");
            }
            int fd = Errors.check("socket", SocketNative.open(SockaddrDescriptor.familyOf(address), SocketNative.STREAM));
            TcpServer server = null;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
                SockaddrDescriptor.write(sockaddr, address);
                Errors.check("setsockopt(SO_REUSEADDR)", SocketNative.setOption(fd, SocketOption.SO_REUSEADDR.id(), 1));
                if (reusePort) {
                    Errors.check("setsockopt(SO_REUSEPORT)", SocketNative.setOption(fd, SocketOption.SO_REUSEPORT.id(), 1));
                }
                Errors.check("bind(" + address + ")", SocketNative.bind(fd, sockaddr.address()));
                Errors.check("listen(" + address + ")", SocketNative.listen(fd, backlog));
                Errors.check("getsockname", SocketNative.localAddress(fd, sockaddr.address()));
                server = new TcpServer(table, scheduler, handler, lowWatermark, highWatermark);
                server.register();
                server.local = SockaddrDescriptor.read(sockaddr);
                server.listenerShard = Reactor.currentWorker();
                server.listenerToken = table.registerHandler(fd, server.listenerShard, server.group,
                        ShardDriver.LISTENER, false);
            } catch (IOException | RuntimeException e) {
                SocketNative.close(fd);
                if (server != null) {
                    server.abandon();
                }
                throw e;
            }
            server.start();
            return server;
        }
    }

    private void start() {
        for (ShardDriver driver : drivers) {
            driver.wake(); // one empty step: the driver is then known to the runtime as a waiting task
        }
    }

    /** Bind failed after the drivers were made: complete them without serving anything. */
    private void abandon() {
        closeRequested = true;
        listenerClosed = true;
        for (ShardDriver driver : drivers) {
            driver.wake();
        }
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /** True while the connection named by {@code token} is open. Any thread. */
    public boolean isOpen(long token) {
        return table.isCurrent(token);
    }

    /** Open connections (accepted and not yet closed). */
    public int connections() {
        return connections.get();
    }

    /**
     * Stops accepting and closes every connection (each gets onClose with a null cause); queued
     * output is dropped. Any thread; returns at once: {@link #closed()} completes when done.
     */
    @Override
    public void close() {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        drivers[listenerShard].wake();
    }

    /** Completes once the server is closed and every driver has finished. */
    public Task<Void> closed() {
        return closed;
    }

    /** Closes and waits up to {@code timeout} (off a worker thread). */
    public boolean close(Duration timeout) throws InterruptedException {
        close();
        try {
            closed.join(timeout);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    // ---- for the drivers ----------------------------------------------------------------------

    int group() {
        return group;
    }

    int lowWatermark() {
        return lowWatermark;
    }

    int highWatermark() {
        return highWatermark;
    }

    boolean closeRequested() {
        return closeRequested;
    }

    boolean listenerClosed() {
        return listenerClosed;
    }

    /** On the listener's driver: close the listener, then let every driver close its connections. */
    void closeListenerIfOwner(ShardDriver driver) {
        if (driver != drivers[listenerShard] || listenerClosed) {
            return;
        }
        table.deregister(listenerToken, true);
        listenerClosed = true; // volatile: every accepted connection is registered before this
        for (ShardDriver d : drivers) {
            d.wake();
        }
    }

    /** Registers an accepted descriptor with the next shard and queues its onOpen. */
    void adopt(int fd) {
        SocketNative.setOption(fd, SocketOption.TCP_NODELAY.id(), 1); // a failure only costs latency
        int shard = nextShard;
        nextShard = shard + 1 == drivers.length ? 0 : shard + 1;
        long token;
        try {
            token = table.registerHandler(fd, shard, group, 0, true);
        } catch (IOException | RuntimeException e) {
            SocketNative.close(fd);
            WARNING.warn("dropped a connection accepted on " + local + ": " + e.getMessage());
            return;
        }
        connections.incrementAndGet();
        drivers[shard].enqueue(ConnectionTable.indexOfToken(token));
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    void acceptFailed(Throwable failure, long backoffNanos) {
        if (acceptFailureLogged) {
            return;
        }
        acceptFailureLogged = true;
        WARNING.warn(failure.getMessage() + ": accepting paused for "
                + Duration.ofNanos(backoffNanos).toMillis() + " ms, then retried with back-off up to "
                + ShardDriver.MAX_ACCEPT_BACKOFF.toMillis() + " ms; pending connections wait in the backlog."
                + " If out of descriptors, raise the limit (ulimit -n, or LimitNOFILE= for a systemd service)"
                + " or hold fewer connections. Logged once per server.");
    }

    void resumeAccepting(long token, int shard) {
        drivers[shard].resumeAccepting(token);
    }

    void driverFinished() {
        if (driversRunning.decrementAndGet() == 0) {
            table.removeGroup(group);
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return "TcpServer[" + local + ", " + connections() + " connections" + (closeRequested ? ", closed" : "") + "]";
    }
}
