package io.krill.internal.reactor.handler;

import io.krill.NativeIoException;
import io.krill.Promise;
import io.krill.Task;
import io.krill.internal.errno.Errors;
import io.krill.internal.executor.MultiThreadScheduler;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.jni.SocketOption;
import io.krill.internal.net.AcceptBackoff;
import io.krill.internal.net.AcceptWarning;
import io.krill.internal.net.Connecting;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.reactor.Reactor;
import io.krill.internal.reactor.SlotDescriptor;
import io.krill.internal.task.WorkerContext;
import io.krill.net.Connection;
import io.krill.net.Connections;
import io.krill.net.ConnectionHandler;
import io.krill.net.SendResult;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The engine behind one {@code io.krill.net.TcpServer} or {@code TcpClient}: its listener (a
 * server's), one {@link ShardDriver} per reactor shard, its group in the
 * {@link ConnectionTable}, the connections it is still connecting (a client's), and the counts.
 *
 * <p>Who does what: the listener's shard driver runs the {@link Acceptor}, which registers each
 * accepted descriptor with the next shard round-robin ({@link #adopt}); every driver serves its
 * shard's connections. Closing: {@link #close()} wakes the listener's driver, which closes the
 * listener first (so no accept can register a connection afterwards), then wakes every driver
 * to close its connections and complete; the last to finish completes {@link #closed()}.
 */
public final class HandlerServer implements Connections {

    private static final AcceptWarning WARNING = new AcceptWarning("io.krill.net.TcpServer"); // at class load: see its notes; named as users know it

    private final ConnectionTable table;
    private final ShardDriver[] drivers;
    private final Acceptor acceptor;
    private final int lowWatermark;
    private final int highWatermark;
    private final Promise<Void> closed = Task.promise();
    /** Outbound connections whose connect has not finished, by token; see {@link #connect}. Guarded by itself. */
    private final HashMap<Long, PendingConnect> connecting = new HashMap<>();
    private final AtomicInteger nextConnectShard = new AtomicInteger();
    private final AtomicInteger driversRunning;
    private final AtomicInteger connections = new AtomicInteger();
    private final int group;
    private InetSocketAddress local;
    private long listenerToken = -1; // -1: a client, no listener
    private int listenerShard;
    private int nextShard; // accepting driver only
    private volatile boolean closeRequested;
    private volatile boolean listenerClosed;
    private final AcceptBackoff acceptBackoff = new AcceptBackoff(WARNING, "server");

    private HandlerServer(ConnectionTable table, MultiThreadScheduler scheduler, ConnectionHandler handler, int low, int high,
            int submissionCapacity) {
        this.table = table;
        this.lowWatermark = low;
        this.highWatermark = high;
        this.drivers = new ShardDriver[scheduler.workerCount()];
        this.driversRunning = new AtomicInteger(drivers.length);
        for (int shard = 0; shard < drivers.length; shard++) {
            drivers[shard] = new ShardDriver(scheduler, this, shard, table, handler, submissionCapacity);
        }
        this.acceptor = new Acceptor(this, table);
        ShardDriver[] shards = drivers;
        this.group = table.addGroup((owner, index) -> shards[owner].enqueue(index)); // its slots' events reach its drivers
    }

    /** A new engine on the current worker's runtime; {@code what} names the caller for the error off a worker. */
    private static HandlerServer create(String what, ConnectionHandler handler, int lowWatermark, int highWatermark,
            int submissionCapacity) {
        ConnectionTable table = Reactor.currentTable();
        if (!(WorkerContext.currentScheduler() instanceof MultiThreadScheduler scheduler)) {
            throw new IllegalStateException(what + " must run on a Krill worker thread");
        }
        return new HandlerServer(table, scheduler, handler, lowWatermark, highWatermark, submissionCapacity);
    }

    /** One empty step each: the drivers are then known to the runtime as waiting tasks. */
    private void start() {
        for (ShardDriver driver : drivers) {
            driver.wake();
        }
    }

    /** A client: outbound connections only ({@link #connect}), served with {@code handler}. On a worker. */
    public static HandlerServer client(ConnectionHandler handler, int lowWatermark, int highWatermark, int submissionCapacity) {
        HandlerServer client = create("TcpClient.build", handler, lowWatermark, highWatermark, submissionCapacity);
        client.listenerClosed = true; // there is none
        client.start();
        return client;
    }

    /** A connect in flight: who waits for it, and where to, for messages. */
    record PendingConnect(Promise<Long> promise, InetSocketAddress address) {}

    /**
     * Connects to {@code address} (TCP_NODELAY on) on the next shard; the connection is served
     * by this engine's handler once connected (onOpen first), and the task completes with its
     * token after onOpen. The user area's first long starts as {@code userLong0}. A cancelled
     * task (a timeout) closes the socket, even when the connect succeeded meanwhile. Any thread.
     */
    @Override
    public Task<Long> connect(InetSocketAddress address, long userLong0) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            return Task.failed(new IllegalArgumentException("address " + address + " is unresolved: resolve it first"));
        }
        if (closeRequested) {
            return Task.failed(new IllegalStateException("connect(" + address + "): the client is closed"));
        }
        String what = "connect(" + address + ")";
        int fd;
        try {
            fd = Connecting.start(table.io(), address, what);
        } catch (IOException e) {
            return Task.failed(e);
        }
        Promise<Long> promise = Task.promise();
        int shard = Math.floorMod(nextConnectShard.getAndIncrement(), drivers.length);
        // The promise is known before the slot can be served: its first event looks it up.
        synchronized (connecting) {
            long token;
            try {
                token = table.registerHandler(fd, shard, group, SlotDescriptor.DRIVER_CONNECTING, false, userLong0);
            } catch (IOException | RuntimeException e) {
                table.io().close(fd);
                return Task.failed(e);
            }
            connecting.put(token, new PendingConnect(promise, address));
            // Cancelled (by a timeout, say) before it finished: the driver closes the socket.
            promise.handle((connected, failure) -> {
                if (failure != null) {
                    submit(token, ShardDriver.SUBMIT_ABANDON, null);
                }
                return null;
            });
        }
        return promise;
    }

    /** The driver saw the first event of a connecting slot: who waits for it (null if nobody does any more). */
    PendingConnect takeConnecting(long token) {
        synchronized (connecting) { // the registration and its put are one step for this look-up
            return connecting.remove(token);
        }
    }

    /**
     * Binds and listens on {@code address}, and starts serving it with {@code handler}. Must run
     * on a worker thread.
     */
    public static HandlerServer bind(InetSocketAddress address, ConnectionHandler handler, int backlog, boolean reusePort,
            int lowWatermark, int highWatermark, int submissionCapacity) throws IOException {
        HandlerServer server = create("TcpServer.bind", handler, lowWatermark, highWatermark, submissionCapacity);
        NativeIo io = server.table.io();
        int fd;
        try {
            fd = Errors.check("socket", io.open(SockaddrDescriptor.familyOf(address), SocketNative.STREAM));
        } catch (IOException | RuntimeException e) {
            server.abandon();
            throw e;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            SockaddrDescriptor.write(sockaddr, address);
            Errors.check("setsockopt(SO_REUSEADDR)", io.setOption(fd, SocketOption.SO_REUSEADDR.id(), 1));
            if (reusePort) {
                Errors.check("setsockopt(SO_REUSEPORT)", io.setOption(fd, SocketOption.SO_REUSEPORT.id(), 1));
            }
            Errors.check("bind(" + address + ")", io.bind(fd, sockaddr.address()));
            Errors.check("listen(" + address + ")", io.listen(fd, backlog));
            Errors.check("getsockname", io.localAddress(fd, sockaddr.address()));
            server.local = SockaddrDescriptor.read(sockaddr);
            server.listenerShard = Reactor.currentWorker();
            server.listenerToken = server.table.registerHandler(fd, server.listenerShard, server.group,
                    SlotDescriptor.DRIVER_LISTENER, false);
        } catch (IOException | RuntimeException e) {
            io.close(fd);
            server.abandon();
            throw e;
        }
        server.start();
        return server;
    }

    /** Bind failed after the drivers were made: complete them without serving anything. */
    private void abandon() {
        closeRequested = true;
        listenerClosed = true;
        start();
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean isOpen(long token) {
        return table.isCurrent(token);
    }

    @Override
    public int connections() {
        return connections.get();
    }

    public boolean isCloseRequested() {
        return closeRequested;
    }

    /** Stops accepting (or connecting) and closes every connection; any thread, returns at once. */
    public void close() {
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        if (listenerToken == -1) {
            for (ShardDriver driver : drivers) {
                driver.wake(); // a client: no listener to close first
            }
        } else {
            drivers[listenerShard].wake();
        }
    }

    /** Completes once the server is closed and every driver has finished. */
    public Task<Void> closed() {
        return closed;
    }

    @Override
    public SendResult write(long token, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return submit(token, ShardDriver.SUBMIT_WRITE, bytes.clone());
    }

    @Override
    public SendResult write(long token, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        if (data.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a write by token takes at most 2 GiB, got " + data.byteSize() + " bytes");
        }
        return submit(token, ShardDriver.SUBMIT_WRITE, data.toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public SendResult closeConnection(long token) {
        return submit(token, ShardDriver.SUBMIT_CLOSE, null);
    }

    @Override
    public SendResult execute(long token, Consumer<? super Connection> action) {
        Objects.requireNonNull(action, "action");
        return submit(token, ShardDriver.SUBMIT_EXECUTE, action);
    }


    /**
     * Submits {@code kind} with {@code attachment} for the connection {@code token} names, to its
     * shard's driver. Any thread; never blocks.
     */
    private SendResult submit(long token, int kind, Object attachment) {
        int shard = table.handlerShard(token, group);
        if (shard < 0) {
            return SendResult.CLOSED;
        }
        if (kind == ShardDriver.SUBMIT_WRITE
                && (table.peekDriverFlags(ConnectionTable.indexOfToken(token)) & SlotDescriptor.DRIVER_UNWRITABLE) != 0) {
            return SendResult.BACKPRESSURE; // advisory: the driver's own check decides when it applies the write
        }
        return drivers[shard].submit(token, kind, attachment) ? SendResult.SUBMITTED : SendResult.BACKPRESSURE;
    }

    // ---- for the drivers and the acceptor ---------------------------------------------------

    int group() {
        return group;
    }

    int lowWatermark() {
        return lowWatermark;
    }

    int highWatermark() {
        return highWatermark;
    }

    boolean listenerClosed() {
        return listenerClosed;
    }

    Acceptor acceptor() {
        return acceptor;
    }

    ShardDriver driver(int shard) {
        return drivers[shard];
    }

    /** On the listener's driver: close the listener, then let every driver close its connections. */
    void closeListenerIfOwner(ShardDriver driver) {
        if (listenerToken == -1 || driver != drivers[listenerShard] || listenerClosed) {
            return;
        }
        table.deregister(listenerToken, true);
        listenerClosed = true; // volatile: every accepted connection is registered before this
        for (ShardDriver d : drivers) {
            d.wake();
        }
    }

    /**
     * Registers an accepted descriptor with the next shard and queues its onOpen; closes it if
     * epoll refuses it.
     *
     * @return null, or why epoll refused it if that passes (out of watches or memory): the
     *         acceptor then backs off, as the next accepted descriptor would fare the same
     */
    AcceptBackoff.Cause adopt(int fd) {
        table.io().setOption(fd, SocketOption.TCP_NODELAY.id(), 1); // a failure only costs latency
        int shard = nextShard;
        nextShard = shard + 1 == drivers.length ? 0 : shard + 1;
        long token;
        try {
            token = table.registerHandler(fd, shard, group, 0, true);
        } catch (IOException | RuntimeException e) {
            table.io().close(fd);
            AcceptBackoff.Cause cause = e instanceof NativeIoException refused ? AcceptBackoff.ofRegistration(refused.errno()) : null;
            if (cause == null) {
                WARNING.warn("dropped a connection accepted on " + local + ": " + e.getMessage());
            }
            return cause;
        }
        connections.incrementAndGet();
        drivers[shard].enqueue(ConnectionTable.indexOfToken(token));
        return null;
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    /** The listener's back-off and warnings; the acceptor's. */
    AcceptBackoff acceptBackoff() {
        return acceptBackoff;
    }

    /** Accepts that failed (or accepted descriptors epoll refused), each followed by a back-off. */
    public long acceptBackoffs() {
        return acceptBackoff.backoffs();
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
