package io.krill.net;

import io.krill.internal.jni.Errno;
import io.krill.internal.jni.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.memory.ChunkPool;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.ReadyStack;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.task.TaskScheduler;
import io.krill.time.Time;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Runs one {@link TcpServer}'s connections of one reactor shard: a task that the shard's events
 * wake, which then serves every ready connection in turn. Nothing per connection lives on the
 * heap: state is in the slot ({@link ConnectionTable}), unsent bytes in this driver's
 * {@link ChunkPool}, reads land in this driver's one read buffer.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Serialisation</b>: a connection is served only by its shard's driver, and the driver is
 * a task, whose state word lets it run on one worker at a time (it may be stolen). Its steps are
 * ordered by that state word (happens-before from one step's end to the next step's start), so
 * the slots' handler fields, the pool and the read buffer are accessed plainly.
 *
 * <p><b>Readiness</b>: events set the slot's readiness bits and QUEUED and push it onto
 * {@link #ready}; {@link ConnectionTable#takeReady} takes both back before the connection is
 * served, so an event during the service queues it again. Descriptors are edge-triggered. A read
 * shorter than the buffer means the socket's queue was empty at that moment, so new data will
 * raise a new edge: the driver stops there instead of paying one more read for EAGAIN (unless a
 * hang-up was seen, which must be read to its end). A connection cut short by the per-turn read
 * limit, or paused by backpressure, keeps {@link #READ_PENDING} and is served again.
 *
 * <p><b>Backpressure</b>: a connection whose queued output reaches the high watermark stops
 * being read until it drains to the low one; then {@link ConnectionHandler#onWritable} runs and
 * reading resumes.
 *
 * <p><b>Closing the server</b>: the listener's driver closes the listener first, so that no
 * accept can register a connection afterwards; then every driver closes its connections and
 * completes.
 */
final class ShardDriver extends ScheduledTask<Void> {

    /** Bytes per read: guess, a few loopback segments; tune with the echo benchmark. */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Reads of one connection per turn before the others get theirs (fairness; guess). */
    static final int MAX_READS_PER_TURN = 16;
    /** Connections accepted per turn before the listener yields to its connections (guess). */
    static final int MAX_ACCEPTS_PER_TURN = 256;
    /** Connections served per task step before yielding to other tasks (guess). */
    static final int MAX_SLOTS_PER_STEP = 1024;
    static final Duration MIN_ACCEPT_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_ACCEPT_BACKOFF = Duration.ofSeconds(1);

    // Driver flags, in the slot (16 bits); only this driver reads and writes them.
    static final int LISTENER = 1;
    static final int UNWRITABLE = 1 << 1;
    static final int READ_PENDING = 1 << 2;
    static final int READ_ENDED = 1 << 3;
    static final int SHUTDOWN_PENDING = 1 << 4;
    static final int OUTPUT_SHUT = 1 << 5;
    static final int CLOSE_REQUESTED = 1 << 6;
    static final int CLOSING = 1 << 7;
    static final int FAILED = 1 << 8;
    static final int ACCEPT_PAUSED = 1 << 9;
    /** A hang-up or error was reported: read to the end, short reads do not mean drained. */
    static final int HANGUP_SEEN = 1 << 10;

    private static final int READ_EVENTS = Readiness.READABLE | Readiness.READ_HANGUP | Readiness.HANGUP | Readiness.ERROR;
    private static final int WRITE_EVENTS = Readiness.WRITABLE | Readiness.HANGUP | Readiness.ERROR;
    private static final int HANGUP_EVENTS = Readiness.READ_HANGUP | Readiness.HANGUP | Readiness.ERROR;

    private final TcpServer server;
    private final int shard;
    private final ConnectionTable table;
    private final ConnectionHandler handler;
    private final ReadyStack ready;
    private final Arena arena = Arena.ofShared(); // freed when the driver completes (afterCompletion)
    private final MemorySegment readBuffer;
    private final ChunkPool pool;
    private final Connection connection = new Connection(this);
    /** The thread running a step, or null; written by that thread only (see check). */
    private Thread runner;
    /** Why the connection being served fails (an I/O error), until it is closed. */
    private Throwable cause;
    private long acceptBackoffNanos;
    private boolean closing;

    ShardDriver(TaskScheduler scheduler, TcpServer server, int shard, ConnectionTable table, ConnectionHandler handler) {
        super(scheduler, false, true); // a service: an open server does not hold up runtime shutdown
        this.server = server;
        this.shard = shard;
        this.table = table;
        this.handler = handler;
        this.ready = new ReadyStack(table);
        this.readBuffer = arena.allocate(READ_BUFFER_BYTES, 64);
        this.pool = new ChunkPool(arena);
    }

    ConnectionTable table() {
        return table;
    }

    /** Queues a slot its caller marked QUEUED. Any thread. */
    void enqueue(int index) {
        if (ready.push(index)) {
            wake();
        }
    }

    // ---- the step ----------------------------------------------------------------------------

    @Override
    protected void step() {
        runner = Thread.currentThread();
        try {
            if (server.closeRequested() && !closing) {
                startClosing();
            }
            int served = 0;
            while (served < MAX_SLOTS_PER_STEP) {
                int index = ready.takeAll();
                if (index == ReadyStack.EMPTY) {
                    break;
                }
                while (index != ReadyStack.EMPTY) {
                    int next = ready.next(index); // before serving: serving may queue it again
                    serve(index);
                    served++;
                    index = next;
                }
            }
            if (closing && server.listenerClosed()) {
                finishClosing();
            } else if (!ready.isEmpty()) {
                wakeSelf(); // the budget is spent: let other tasks run, then go on
            }
        } finally {
            runner = null;
        }
    }

    private void serve(int index) {
        long state = table.takeReady(index);
        if (ConnectionTable.isClosedState(state)) {
            table.releaseQueued(index); // closed while queued: only now may the slot be reused
            return;
        }
        int flags = table.driverFlags(index);
        if ((flags & LISTENER) != 0) {
            if ((flags & ACCEPT_PAUSED) == 0 && !closing) {
                try {
                    acceptAll(index);
                } catch (RuntimeException | Error failure) {
                    // The listener must outlive any one accept: report it, retry after a pause.
                    scheduler().uncaught(failure);
                    backOff(index, failure);
                }
            }
            return;
        }
        if (closing) {
            return; // finishClosing closes it
        }
        connection.index = index;
        connection.token = table.tokenOf(index);
        connection.active = true;
        cause = null;
        try {
            if (ConnectionTable.isOpening(state)) {
                handler.onOpen(connection);
            }
            int readiness = ConnectionTable.readinessOf(state);
            if ((readiness & HANGUP_EVENTS) != 0) {
                setFlags(index, HANGUP_SEEN); // kept: the reads it calls for may be paused first
            }
            if (((readiness & WRITE_EVENTS) != 0 || drainedWhileUnwritable(index)) && !closeRequested(index)) {
                flush(index);
            }
            if (((readiness & READ_EVENTS) != 0 || (table.driverFlags(index) & READ_PENDING) != 0) && !closeRequested(index)) {
                readAll(index);
            }
            if (drainedWhileUnwritable(index) && !closeRequested(index)) {
                requeue(index); // drained by a write's own send: no event will come, tell the handler next turn
            }
        } catch (Throwable failure) {
            fail(index, failure);
        }
        if (closeRequested(index)) {
            close(index, cause);
        }
        connection.active = false;
    }

    /** Marked unwritable, yet the queue is at the low watermark: onWritable is owed. */
    private boolean drainedWhileUnwritable(int index) {
        return (table.driverFlags(index) & UNWRITABLE) != 0 && table.backlogBytes(index) <= server.lowWatermark();
    }

    private boolean closeRequested(int index) {
        return (table.driverFlags(index) & CLOSE_REQUESTED) != 0;
    }

    private void setFlags(int index, int set) {
        table.driverFlags(index, table.driverFlags(index) | set);
    }

    private void clearFlags(int index, int clear) {
        table.driverFlags(index, table.driverFlags(index) & ~clear);
    }

    // ---- reading -----------------------------------------------------------------------------

    private void readAll(int index) {
        int fd = table.fdAt(index);
        for (int reads = 0; ; reads++) {
            int flags = table.driverFlags(index);
            if ((flags & (CLOSE_REQUESTED | READ_ENDED)) != 0) {
                return;
            }
            if ((flags & UNWRITABLE) != 0 || reads == MAX_READS_PER_TURN) {
                setFlags(index, READ_PENDING); // backpressure, or fairness: served again later
                if ((flags & UNWRITABLE) == 0) {
                    requeue(index);
                }
                return;
            }
            int n = SocketNative.read(fd, readBuffer.address(), READ_BUFFER_BYTES);
            if (n > 0) {
                clearFlags(index, READ_PENDING);
                handler.onData(connection, readBuffer, n);
                if (n < READ_BUFFER_BYTES && (table.driverFlags(index) & HANGUP_SEEN) == 0) {
                    return; // drained at the time of the read: more data raises a new edge
                }
            } else if (n == 0) {
                clearFlags(index, READ_PENDING);
                setFlags(index, READ_ENDED);
                handler.onReadEnd(connection);
                closeIfBothEnded(index);
                return;
            } else if (n == -Errno.EAGAIN.number()) {
                clearFlags(index, READ_PENDING);
                return;
            } else {
                fail(index, Errors.newException("read from " + describePeer(index), n));
                return;
            }
        }
    }

    private void requeue(int index) {
        if (table.markQueued(index)) {
            ready.push(index); // we are running: the step's end sees the stack non-empty
        }
    }

    // ---- writing -----------------------------------------------------------------------------

    boolean write(int index, MemorySegment data, long offset, long length) {
        int flags = table.driverFlags(index);
        if ((flags & FAILED) != 0) {
            return false; // the error is on its way to onClose
        }
        if ((flags & (CLOSE_REQUESTED | CLOSING)) != 0) {
            throw new IllegalStateException("write on a closed connection");
        }
        if ((flags & (SHUTDOWN_PENDING | OUTPUT_SHUT)) != 0) {
            throw new IllegalStateException("write after shutdownOutput()");
        }
        if (length == 0) {
            return (flags & UNWRITABLE) == 0;
        }
        if (length > Integer.MAX_VALUE - table.backlogBytes(index)) {
            throw new IllegalArgumentException("write of " + length + " bytes: more than 2 GiB would be queued");
        }
        if (table.backlogBytes(index) == 0 && data.isNative()) {
            int n = SocketNative.write(table.fdAt(index), data.address() + offset, (int) Math.min(length, Integer.MAX_VALUE));
            if (n == length) {
                return true;
            }
            if (n == -Errno.EAGAIN.number()) {
                n = 0;
            } else if (n < 0) {
                fail(index, Errors.newException("write to " + describePeer(index), n));
                return false;
            }
            offset += n;
            length -= n;
        }
        boolean wasEmpty = table.backlogBytes(index) == 0;
        append(index, data, offset, (int) length);
        if (wasEmpty && !data.isNative()) {
            sendQueued(index); // nothing was tried yet for on-heap bytes: send what the socket takes
        }
        if (table.backlogBytes(index) >= server.highWatermark()) {
            setFlags(index, UNWRITABLE);
        }
        return (table.driverFlags(index) & (UNWRITABLE | FAILED)) == 0;
    }

    private void append(int index, MemorySegment data, long offset, int length) {
        int head = table.backlogHead(index);
        int tail = table.backlogTail(index);
        int bytes = table.backlogBytes(index) + length;
        while (length > 0) {
            if (tail == ChunkPool.NONE || pool.writable(tail) == 0) {
                int chunk = pool.allocate();
                if (tail == ChunkPool.NONE) {
                    head = chunk;
                } else {
                    pool.link(tail, chunk);
                }
                tail = chunk;
            }
            int n = Math.min(length, pool.writable(tail));
            pool.append(tail, data, offset, n);
            offset += n;
            length -= n;
        }
        table.backlog(index, head, tail, bytes);
    }

    /**
     * On a writable event: sends queued output, then tells the handler when the queue fell to the
     * low watermark, and sends FIN when a shutdown waited for the queue.
     */
    private void flush(int index) {
        int bytes = sendQueued(index);
        if (bytes < 0) {
            return; // failed
        }
        int flags = table.driverFlags(index);
        if ((flags & UNWRITABLE) != 0 && bytes <= server.lowWatermark()) {
            clearFlags(index, UNWRITABLE);
            handler.onWritable(connection);
        }
    }

    /**
     * Sends queued output until the socket is full; sends FIN when a shutdown waited for the
     * queue. No callback: {@link #write} calls it too, from inside one.
     *
     * @return the bytes still queued, or -1 when the connection failed
     */
    private int sendQueued(int index) {
        int head = table.backlogHead(index);
        int tail = table.backlogTail(index);
        int bytes = table.backlogBytes(index);
        int fd = table.fdAt(index);
        while (head != ChunkPool.NONE) {
            int pending = pool.readable(head);
            if (pending > 0) {
                int n = SocketNative.write(fd, pool.readAddress(head), pending);
                if (n == -Errno.EAGAIN.number()) {
                    break; // an EPOLLOUT edge follows when there is room
                }
                if (n < 0) {
                    table.backlog(index, head, tail, bytes);
                    fail(index, Errors.newException("write to " + describePeer(index), n));
                    return -1;
                }
                pool.consume(head, n);
                bytes -= n;
                if (n < pending) {
                    break;
                }
            }
            int next = pool.next(head);
            pool.free(head);
            if (head == tail) {
                head = ChunkPool.NONE;
                tail = ChunkPool.NONE;
            } else {
                head = next;
            }
        }
        table.backlog(index, head, tail, bytes);
        if (bytes == 0 && (table.driverFlags(index) & SHUTDOWN_PENDING) != 0) {
            finishShutdown(index);
        }
        return bytes;
    }

    boolean isWritable(int index) {
        return (table.driverFlags(index) & (UNWRITABLE | FAILED)) == 0;
    }

    int queuedBytes(int index) {
        return table.backlogBytes(index);
    }

    void shutdownOutput(int index) {
        int flags = table.driverFlags(index);
        if ((flags & (SHUTDOWN_PENDING | OUTPUT_SHUT | CLOSE_REQUESTED | CLOSING)) != 0) {
            return;
        }
        setFlags(index, SHUTDOWN_PENDING);
        if (table.backlogBytes(index) == 0) {
            finishShutdown(index);
        }
    }

    private void finishShutdown(int index) {
        int flags = table.driverFlags(index);
        table.driverFlags(index, (flags & ~SHUTDOWN_PENDING) | OUTPUT_SHUT);
        int rc = SocketNative.shutdown(table.fdAt(index), SocketNative.SHUT_WRITE);
        if (rc < 0 && rc != -Errno.ENOTCONN.number()) { // ENOTCONN: the peer is gone; the read side tells
            fail(index, Errors.newException("shutdown to " + describePeer(index), rc));
            return;
        }
        closeIfBothEnded(index);
    }

    private void closeIfBothEnded(int index) {
        int flags = table.driverFlags(index);
        if ((flags & READ_ENDED) != 0 && (flags & OUTPUT_SHUT) != 0) {
            setFlags(index, CLOSE_REQUESTED);
        }
    }

    // ---- closing -----------------------------------------------------------------------------

    boolean isOpen(int index) {
        return (table.driverFlags(index) & (CLOSE_REQUESTED | CLOSING)) == 0;
    }

    void requestClose(int index) {
        setFlags(index, CLOSE_REQUESTED);
    }

    private void fail(int index, Throwable failure) {
        if (cause == null) {
            cause = failure;
        }
        setFlags(index, FAILED | CLOSE_REQUESTED);
    }

    /** Calls onClose, frees the backlog, closes the descriptor (the token goes stale). */
    private void close(int index, Throwable why) {
        setFlags(index, CLOSING);
        connection.index = index;
        connection.token = table.tokenOf(index);
        connection.active = true;
        try {
            handler.onClose(connection, why);
        } catch (Throwable failure) {
            scheduler().uncaught(failure);
        } finally {
            connection.active = false;
        }
        pool.freeList(table.backlogHead(index));
        table.backlog(index, ChunkPool.NONE, ChunkPool.NONE, 0);
        table.deregister(table.tokenOf(index), true);
        server.connectionClosed();
    }

    private void startClosing() {
        closing = true;
        server.closeListenerIfOwner(this);
    }

    private void finishClosing() {
        table.forEachOpen(server.group(), shard, index -> {
            if ((table.driverFlags(index) & LISTENER) == 0) {
                close(index, null);
            }
        });
        for (int index = ready.takeAll(); index != ReadyStack.EMPTY; ) {
            int next = ready.next(index);
            if (ConnectionTable.isClosedState(table.takeReady(index))) {
                table.releaseQueued(index);
            }
            index = next;
        }
        completeValue(null);
    }

    @Override
    public boolean reportsUncaught() {
        return true; // a driver that dies takes its connections with it: never silently
    }

    @Override
    protected void afterCompletion(Throwable failureOrNull) {
        super.afterCompletion(failureOrNull);
        arena.close(); // no step runs after completion: completed in our own last step, or cancelled by shutdown
        server.driverFinished();
    }

    // ---- accepting ---------------------------------------------------------------------------

    private void acceptAll(int listener) {
        int fd = table.fdAt(listener);
        for (int accepted = 0; accepted < MAX_ACCEPTS_PER_TURN; accepted++) {
            int child = SocketNative.accept(fd, 0);
            if (child >= 0) {
                acceptBackoffNanos = 0;
                server.adopt(child);
                continue;
            }
            if (child == -Errno.ECONNABORTED.number()) {
                continue; // the peer gave up before we took it
            }
            if (child == -Errno.EAGAIN.number()) {
                return;
            }
            backOff(listener, Errors.newException("accept on " + server.localAddress(), child));
            return;
        }
        requeue(listener); // more may be pending: after the connections queued meanwhile
    }

    /**
     * Out of descriptors (or another accept error): pending connections stay in the kernel's
     * queue; try again after a pause that doubles up to a second, instead of spinning on an
     * edge that keeps firing.
     */
    private void backOff(int listener, Throwable error) {
        acceptBackoffNanos = acceptBackoffNanos == 0 ? MIN_ACCEPT_BACKOFF.toNanos()
                : Math.min(acceptBackoffNanos * 2, MAX_ACCEPT_BACKOFF.toNanos());
        server.acceptFailed(error, acceptBackoffNanos);
        setFlags(listener, ACCEPT_PAUSED);
        long token = table.tokenOf(listener);
        Time.sleep(Duration.ofNanos(acceptBackoffNanos)).map(v -> {
            server.resumeAccepting(token, shard);
            return null;
        });
    }

    /** Resumes a paused listener (from the back-off timer, on a worker). */
    void resumeAccepting(long listenerToken) {
        if (!table.isCurrent(listenerToken)) {
            return;
        }
        int index = ConnectionTable.indexOfToken(listenerToken);
        // Unpausing from the timer's thread: the listener slot is not being served (it is only
        // served while QUEUED, and ACCEPT_PAUSED keeps serve() from touching it), so no race.
        clearFlags(index, ACCEPT_PAUSED);
        if (table.markQueued(index)) {
            enqueue(index);
        }
    }

    // ---- the flyweight -----------------------------------------------------------------------

    /** Throws unless {@code c} is being served by this driver on the calling thread. */
    void check(Connection c) {
        if (!c.active || runner != Thread.currentThread()) {
            throw new IllegalStateException("a Connection may be used only during its handler callback, on that"
                    + " callback's thread: keep its token() instead");
        }
        if (!table.isCurrent(c.token)) {
            throw new IllegalStateException("connection 0x" + Long.toHexString(c.token) + " is closed");
        }
    }

    InetSocketAddress peerAddress(int index) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment sockaddr = scratch.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
            Errors.check("getpeername", SocketNative.peerAddress(table.fdAt(index), sockaddr.address()));
            return SockaddrDescriptor.read(sockaddr);
        }
    }

    /** The peer for an error message; "fd N" when the kernel no longer knows it. */
    private String describePeer(int index) {
        try {
            return peerAddress(index).toString();
        } catch (IOException e) {
            return "fd " + table.fdAt(index) + " (peer unknown: " + e.getMessage() + ")";
        }
    }
}
