package io.krill.internal.reactor.handler;

import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SockaddrDescriptor;
import io.krill.internal.memory.ChunkPool;
import io.krill.internal.reactor.ConnectionTable;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.reactor.ReadyStack;
import io.krill.internal.reactor.SlotDescriptor;
import io.krill.internal.reactor.SlotView;
import io.krill.internal.ring.MpscRing;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.task.TaskScheduler;
import io.krill.net.Connection;
import io.krill.net.ConnectionHandler;
import io.krill.net.IdleTimeoutException;
import io.krill.net.ReadTimeoutException;
import io.krill.net.SocketClosedException;
import io.krill.time.Time;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Runs one server's connections of one reactor shard: a task that the shard's events wake, which
 * then serves every ready connection in turn. Nothing per connection lives on the heap: state is
 * in the slot (the driver flags of {@link SlotDescriptor}, reached through one {@link SlotView}
 * bound per service), unsent bytes in this driver's {@link WriteBacklog}, reads land in this
 * driver's one read buffer.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Serialisation</b>: a connection is served only by its shard's driver, and the driver is
 * a task, whose state word lets it run on one worker at a time (it may be stolen). Its steps are
 * ordered by that state word (happens-before from one step's end to the next step's start), so
 * the slots' driver fields, the pool and the read buffer are accessed plainly.
 *
 * <p><b>Readiness</b>: events set the slot's readiness bits and QUEUED and push it onto
 * {@link #ready}; {@link ConnectionTable#takeReady} takes both back before the connection is
 * served, so an event during the service queues it again. Descriptors are edge-triggered. A read
 * shorter than the buffer means the socket's queue was empty at that moment, so new data will
 * raise a new edge: the driver stops there instead of paying one more read for EAGAIN (unless a
 * hang-up was seen, which must be read to its end). A connection cut short by the per-turn read
 * limit, or paused by backpressure, keeps {@code READ_PENDING} and is served again.
 *
 * <p><b>Backpressure</b>: a connection whose queued output reaches the high watermark stops
 * being read until it drains to the low one; then {@link ConnectionHandler#onWritable} runs and
 * reading resumes.
 *
 * <p><b>Closing the server</b>: the listener's driver closes the listener first, so that no
 * accept can register a connection afterwards; then every driver closes its connections and
 * completes.
 *
 * <p><b>Calls into the table per event</b>: {@code takeReady} (one CAS) and {@code bind} (one
 * read of the chunk array and of the generation); every other access goes through the view.
 *
 * <p><b>The fused crossing</b> ({@link #FUSED}, on by default): a step does not read each ready
 * connection with a native call of its own. It serves each one up to its read, queues the read
 * in a {@link ReadBatch}, and makes the batch's reads in one native call when the batch is full
 * or the taken list is done; then it hands each connection its bytes and finishes its service.
 * Small writes made meanwhile wait in a {@link WriteStaging} and leave in one native call at the
 * end of each batch and of the step. So a step crosses into C about three times, not twice per
 * connection. No connection has two reads in one batch, or its bytes could be handed over out
 * of order: a list taken from the ready stack holds a slot at most once, the batch runs before
 * the next list is taken, and the batch refuses a second read of a slot all the same. The design's other form, reads made inside the poll call, would have the
 * poller read descriptors whose connections another worker's driver may be closing (and whose
 * numbers the kernel may already have given to a new connection): the driver is the one thread
 * that closes them, so the driver makes the batch.
 */
final class ShardDriver extends ScheduledTask<Void> {

    /** Bytes per read: guess, a few loopback segments; tune with the echo benchmark. */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /**
     * Reads are handed to onData through a view of the read buffer made once per length, so no
     * read allocates once its length was seen. Views of up to this many bytes sit in an array
     * made with the driver (16 KiB of references); longer ones in a second array made on the
     * first such read (240 KiB of references), each view about 40 bytes when first made. Guess:
     * small messages are the common case and should not pay for the big array.
     */
    static final int SMALL_VIEW_MAX_BYTES = 4096;
    /** Reads of one connection per turn before the others get theirs (fairness; guess). */
    static final int MAX_READS_PER_TURN = 16;
    /**
     * Connections served per task step before yielding to other tasks and to the reactor poll
     * (Tokio's task budget is 128 operations; guess). Was 1,024: with an accept burst that made
     * steps of about 10 ms.
     */
    static final int MAX_SLOTS_PER_STEP = 128;
    /** Submissions applied per task step before serving events (guess; the ring's capacity bounds the rest). */
    static final int MAX_SUBMISSIONS_PER_STEP = 1024;

    // Kinds of submissions by token (the second word of a submission record).
    static final int SUBMIT_WRITE = 1;
    static final int SUBMIT_CLOSE = 2;
    static final int SUBMIT_EXECUTE = 3;
    /** A connect whose task was cancelled: close the socket without callbacks (it never opened for the user). */
    static final int SUBMIT_ABANDON = 4;
    /** Timeout checks run per task step before the rest wait for the next (guess, as MAX_SLOTS_PER_STEP). */
    static final int MAX_CHECKS_PER_STEP = 128;
    /**
     * Reads and small writes in batches, one native call each ({@code -Dkrill.fusedCrossing},
     * default true; false is the simple path: one call per read and per write). The default
     * because it measured no worse and mostly a little better: 0.25-0.73 native calls per event
     * against 2.1, and server CPU per message 0.92-0.94x the simple path's in an interleaved run
     * of five (echo and HTTP, 64 connections), 0.85-0.98x and 1.00-1.04x in two more (README,
     * "The fused crossing"). The system calls stay: one read and one send per request.
     */
    static final boolean FUSED = Boolean.parseBoolean(System.getProperty("krill.fusedCrossing", "true"));

    private static final int READ_EVENTS = Readiness.READABLE | Readiness.READ_HANGUP | Readiness.HANGUP | Readiness.ERROR;
    private static final int WRITE_EVENTS = Readiness.WRITABLE | Readiness.HANGUP | Readiness.ERROR;
    private static final int HANGUP_EVENTS = Readiness.READ_HANGUP | Readiness.HANGUP | Readiness.ERROR;

    private final HandlerServer server;
    private final int shard;
    private final ConnectionTable table;
    /** The table's, copied: one field load per read (and the write backlog's, per write). */
    private final NativeIo io;
    private final ConnectionHandler handler;
    private final ReadyStack ready;
    private final Arena arena = Arena.ofShared(); // freed when the driver completes (afterCompletion)
    private final ChunkPool chunks; // the write backlogs' chunks, freed with the arena
    /** Slots taken from the ready stack and not served yet (a list linked as takeAll returns it); driver only. */
    private int taken = ReadyStack.EMPTY;
    private final MemorySegment readBuffer;
    /** getpeername's output, for error messages and peerAddress; driver thread only. */
    private final MemorySegment sockaddr;
    /** smallViews[n]: the read buffer's first n bytes, made on first use; see SMALL_VIEW_MAX_BYTES. */
    private final MemorySegment[] smallViews = new MemorySegment[SMALL_VIEW_MAX_BYTES + 1];
    /** bigViews[n - SMALL_VIEW_MAX_BYTES - 1], made with the first read longer than SMALL_VIEW_MAX_BYTES. */
    private MemorySegment[] bigViews;
    private final WriteBacklog backlog;
    /** The fused crossing's two halves (see the class notes); null on the simple path. */
    private final ReadBatch reads;
    private final WriteStaging staging;
    private final DriverConnection connection = new DriverConnection(this);
    private final SlotView slot = connection.slot;
    /** Writes, closes and actions by token from any thread; drained at the start of each step. */
    private final MpscRing submissions;
    private final MpscRing.RecordHandler applySubmission = this::apply; // one object, not one per step
    /** Connections whose writes by token were queued in this drain: each gets one send after it. */
    private long[] flushTokens = new long[16];
    private int flushCount;
    /** Made by the first timeout set; null while no connection of this driver uses one. */
    private Timeouts timeouts;
    /** Set by the timeouts' timer (any thread), taken by the driver's step: checks may be due. */
    private volatile boolean timeoutsDue;
    /** The thread running a step, or null; written by that thread only (see check). */
    private Thread runner;
    /** Why the connection being served fails (an I/O error), until it is closed. */
    private Throwable cause;
    private boolean closing;

    ShardDriver(TaskScheduler scheduler, HandlerServer server, int shard, ConnectionTable table, ConnectionHandler handler,
            int submissionCapacity) {
        super(scheduler, false, true); // a service: an open server does not hold up runtime shutdown
        this.server = server;
        this.shard = shard;
        this.table = table;
        this.io = table.io();
        this.handler = handler;
        this.ready = new ReadyStack(table);
        this.readBuffer = arena.allocate(READ_BUFFER_BYTES, 64);
        this.sockaddr = arena.allocate(SockaddrDescriptor.SIZE_BYTES, 8);
        this.chunks = new ChunkPool();
        this.reads = FUSED ? new ReadBatch(arena) : null;
        this.staging = FUSED ? new WriteStaging(arena) : null;
        this.backlog = new WriteBacklog(this, io, chunks, server.lowWatermark(), server.highWatermark(), staging);
        this.submissions = MpscRing.allocate(arena, submissionCapacity);
    }

    HandlerServer owner() {
        return server;
    }

    WriteBacklog backlog() {
        return backlog;
    }

    /** Queues a slot its caller marked QUEUED. Any thread. */
    void enqueue(int index) {
        if (ready.push(index)) {
            wake();
        }
    }

    /**
     * Any thread: queues a submission for connection {@code token} of this shard and wakes the
     * driver.
     *
     * @return false when the ring is full, or the driver has finished (the server closed)
     */
    boolean submit(long token, int kind, Object attachment) {
        boolean offered;
        try {
            offered = submissions.offer(token, kind, attachment);
        } catch (IllegalStateException finished) {
            return false; // the driver completed and freed its ring meanwhile: the server is closed
        }
        if (offered) {
            wake();
        }
        return offered;
    }

    @Override
    protected void step() {
        runner = Thread.currentThread();
        try {
            if (server.isCloseRequested() && !closing) {
                closing = true;
                server.closeListenerIfOwner(this);
            }
            if (submissions.poll(applySubmission, MAX_SUBMISSIONS_PER_STEP) == MAX_SUBMISSIONS_PER_STEP) {
                wakeSelf(); // more may wait: after the events and other tasks
            }
            flushSubmitted();
            if (timeoutsDue) {
                timeoutsDue = false;
                runDueChecks();
            }
            int served = 0;
            int index = taken;
            while (served < MAX_SLOTS_PER_STEP) {
                if (index == ReadyStack.EMPTY) {
                    readBatch(); // before the next list: it may hold a slot whose read is queued
                    index = ready.takeAll();
                    if (index == ReadyStack.EMPTY) {
                        break;
                    }
                }
                int next = ready.next(index); // before serving: serving may queue it again
                serve(index);
                if (reads != null && reads.isFull()) {
                    readBatch();
                }
                served++;
                index = next;
            }
            taken = index; // the rest of a taken list is served first next step (still QUEUED)
            readBatch();
            flushStaged(); // before finishing: the staging is freed with the driver
            if (closing && server.listenerClosed()) {
                finishClosing();
            } else if (taken != ReadyStack.EMPTY || !ready.isEmpty()) {
                wakeSelf(); // the budget is spent: let other tasks (and the reactor poll) run, then go on
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
        table.bind(slot, index);
        if (slot.any(SlotDescriptor.DRIVER_LISTENER)) {
            if (!closing) {
                server.acceptor().acceptAll(this, index);
            }
            return;
        }
        if (closing) {
            return; // finishClosing closes it
        }
        int readiness = ConnectionTable.readinessOf(state);
        boolean opening = ConnectionTable.isOpening(state);
        if (slot.any(SlotDescriptor.DRIVER_CONNECTING)) {
            if ((readiness & WRITE_EVENTS) == 0 || !finishConnect()) {
                return; // still connecting, or failed (the connect's task says why)
            }
            opening = true;
        }
        beginService();
        try {
            if (opening) {
                slot.set(SlotDescriptor.DRIVER_OPENED); // before the call: a throwing onOpen still gets its onClose
                handler.onOpen(connection);
            }
            if ((readiness & HANGUP_EVENTS) != 0) {
                slot.set(SlotDescriptor.DRIVER_HANGUP_SEEN); // kept: the reads it calls for may be paused first
            }
            if (((readiness & WRITE_EVENTS) != 0 || backlog.drainedWhileUnwritable(slot)) && !closeRequested()) {
                flush();
            }
            if (((readiness & READ_EVENTS) != 0 || slot.any(SlotDescriptor.DRIVER_READ_PENDING)) && !closeRequested()) {
                if (reads != null && !slot.any(NOT_READ_NOW)) {
                    reads.add(index, slot.token(), slot.fd()); // the batch reads it (or its queued read will); readBatch ends this service
                    connection.active = false;
                    return;
                }
                readAll(0);
            }
            afterReads();
        } catch (Throwable failure) {
            fail(failure);
        }
        endService();
    }

    private void afterReads() {
        if (backlog.drainedWhileUnwritable(slot) && !closeRequested()) {
            requeue(slot.token()); // drained by a write's own send: no event will come, tell the handler next turn
        }
    }

    /** Makes the batch's reads (one native call), then ends each of those connections' service. */
    private void readBatch() {
        if (reads == null || reads.count() == 0) {
            return;
        }
        reads.run(io);
        int count = reads.count();
        for (int i = 0; i < count; i++) {
            int index = reads.index(i);
            table.bind(slot, index);
            if (slot.token() != reads.token(i)) {
                continue; // cannot happen: only this driver closes it, and it did not since the read was queued
            }
            beginService();
            try {
                int n = reads.result(i);
                if (onRead(n, n > 0 ? reads.view(i, n) : null, ReadBatch.REGION_BYTES)) {
                    readAll(1); // the region filled, or a hang-up must be read to its end: on in the big buffer
                }
                afterReads();
            } catch (Throwable failure) {
                fail(failure);
            }
            endService();
        }
        reads.clear();
        flushStaged(); // the answers to this batch leave now, not after the step's other batches
    }

    /** Sends the step's staged writes (one native call) and settles each connection's outcome. */
    private void flushStaged() {
        if (staging == null || staging.count() == 0) {
            return;
        }
        staging.run(io);
        int count = staging.count();
        for (int i = 0; i < count; i++) {
            if (staging.skipped(i)) {
                continue; // sent or dropped since it was staged
            }
            long token = staging.token(i);
            if (!table.isCurrent(token)) {
                continue; // cannot happen: a close sends or drops its staged bytes first
            }
            table.bind(slot, staging.index(i));
            slot.clear(SlotDescriptor.DRIVER_STAGED);
            beginService();
            try {
                backlog.sent(slot, i, staging.result(i));
            } catch (Throwable failure) {
                fail(failure);
            }
            endService();
        }
        staging.clear();
    }

    /** Applies one submission by token; a closed connection's submissions are dropped. */
    @SuppressWarnings("unchecked")
    private void apply(long token, long kind, Object attachment) {
        if (closing || !table.isCurrent(token)) {
            return; // closed since it was submitted; dropped like the rest of its queued output
        }
        table.bind(slot, ConnectionTable.indexOfToken(token));
        if (slot.any(SlotDescriptor.DRIVER_LISTENER | SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_CLOSING)) {
            return;
        }
        if (slot.any(SlotDescriptor.DRIVER_CONNECTING)) {
            if (kind == SUBMIT_ABANDON) {
                server.takeConnecting(token);
                close(null);
            }
            return; // not open yet: a token is only handed out once it is, so nothing else comes here
        }
        if (kind == SUBMIT_ABANDON) {
            return; // connected and handed out before the cancel: the owner of the token closes it
        }
        beginService();
        try {
            if (kind == SUBMIT_WRITE) {
                queueSubmittedWrite(token, (byte[]) attachment);
            } else {
                if (slot.any(SlotDescriptor.DRIVER_FLUSH_PENDING)) {
                    slot.clear(SlotDescriptor.DRIVER_FLUSH_PENDING);
                    flush(); // what was written by token before this close or action goes first
                }
                if (kind == SUBMIT_CLOSE) {
                    requestClose(slot);
                } else {
                    ((Consumer<Connection>) attachment).accept(connection);
                }
            }
        } catch (Throwable failure) {
            fail(failure); // as a callback's failure: the connection closes with it
        }
        endService();
    }

    /** Queues a write by token; consecutive ones to one connection leave in one send after the drain. */
    private void queueSubmittedWrite(long token, byte[] bytes) {
        if (slot.any(SlotDescriptor.DRIVER_SHUTDOWN_PENDING | SlotDescriptor.DRIVER_OUTPUT_SHUT | SlotDescriptor.DRIVER_FAILED)) {
            return; // the output was shut after the write was submitted (nothing may follow FIN), or it failed
        }
        backlog.enqueue(slot, MemorySegment.ofArray(bytes));
        if (!slot.any(SlotDescriptor.DRIVER_FLUSH_PENDING)) {
            slot.set(SlotDescriptor.DRIVER_FLUSH_PENDING);
            if (flushCount == flushTokens.length) {
                flushTokens = java.util.Arrays.copyOf(flushTokens, flushCount * 2);
            }
            flushTokens[flushCount++] = token;
        }
    }

    /**
     * The first writable (or error) event of an outbound connection: true when it connected and
     * its task took the token; otherwise the socket is closed without callbacks (the task
     * failed with the reason, or was cancelled meanwhile).
     */
    private boolean finishConnect() {
        long token = slot.token();
        HandlerServer.PendingConnect waiter = server.takeConnecting(token);
        int rc = io.finishConnect(slot.fd());
        if (rc < 0 || waiter == null) {
            close(null); // CONNECTING still set: no onClose
            if (waiter != null) {
                waiter.promise().fail(Errors.newException("connect(" + waiter.address() + ")", rc));
            }
            return false;
        }
        if (!waiter.promise().complete(token)) {
            close(null); // the task was cancelled (a timeout) as the connect finished: nobody owns it
            return false;
        }
        slot.clear(SlotDescriptor.DRIVER_CONNECTING);
        server.connectionOpened();
        return true;
    }

    /** Sets or (null, zero) clears a timeout ({@link Timeouts#READ}, {@link Timeouts#IDLE}) of the served connection. */
    void setTimeout(SlotView view, int kind, Duration timeout) {
        long limit = Timeouts.limitOf(timeout, kind == Timeouts.READ ? "read timeout" : "idle timeout");
        if (timeouts == null) {
            if (limit == 0) {
                return;
            }
            timeouts = new Timeouts(this);
        }
        timeouts.set(view, kind, limit);
    }

    /** The timeouts' timer fired (any thread): the driver's next step runs the due checks. */
    void timeoutsDue() {
        timeoutsDue = true;
        wake();
    }

    /**
     * Runs the timeout checks that are due: a connection silent (or idle) for its limit closes
     * with the timeout's exception; one active meanwhile is checked again later. At most
     * {@link #MAX_CHECKS_PER_STEP} per step; then arms the timer for the next check.
     */
    private void runDueChecks() {
        if (timeouts == null || closing) {
            return;
        }
        long now = Time.nanoTime();
        for (int checked = 0; ; checked++) {
            long token = timeouts.due(now);
            if (token == 0) {
                break;
            }
            if (checked == MAX_CHECKS_PER_STEP) {
                timeoutsDue = true;
                wakeSelf(); // the rest after the events and other tasks
                return;
            }
            if (!table.isCurrent(token)) {
                timeouts.drop(token); // closed without passing through close(): nothing to check
                continue;
            }
            table.bind(slot, ConnectionTable.indexOfToken(token));
            if (slot.any(SlotDescriptor.DRIVER_LISTENER | SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_CLOSING
                    | SlotDescriptor.DRIVER_CONNECTING)) {
                timeouts.clear(slot);
                continue;
            }
            beginService();
            try {
                int expired = timeouts.check(slot, now);
                if (expired == Timeouts.READ) {
                    fail(new ReadTimeoutException("nothing read from " + describePeer() + " for "
                            + timeouts.limitMillis(slot, Timeouts.READ) + " ms"));
                } else if (expired == Timeouts.IDLE) {
                    fail(new IdleTimeoutException("nothing read from or written to " + describePeer() + " for "
                            + timeouts.limitMillis(slot, Timeouts.IDLE) + " ms"));
                }
            } catch (Throwable failure) {
                fail(failure);
            }
            endService();
        }
        timeouts.arm();
    }

    /** The bound connection's bytes went to the kernel (for its idle timeout). */
    void wrote() {
        if (timeouts != null) {
            timeouts.wrote(slot);
        }
    }

    /** Stops reading the served connection until {@link #resumeReading}; data waits in the kernel. */
    void pauseReading(SlotView view) {
        view.set(SlotDescriptor.DRIVER_READ_PAUSED);
    }

    void resumeReading(SlotView view) {
        int flags = view.flags();
        if ((flags & SlotDescriptor.DRIVER_READ_PAUSED) == 0) {
            return;
        }
        view.flags(flags & ~SlotDescriptor.DRIVER_READ_PAUSED);
        if ((flags & SlotDescriptor.DRIVER_READ_PENDING) != 0) {
            requeue(view.token()); // a read was held back: no new edge may come for it
        }
    }

    /** Sends what writes by token queued in this drain: one send per connection. */
    private void flushSubmitted() {
        for (int i = 0; i < flushCount; i++) {
            long token = flushTokens[i];
            if (!table.isCurrent(token)) {
                continue; // closed by a later submission of the same drain
            }
            table.bind(slot, ConnectionTable.indexOfToken(token));
            slot.clear(SlotDescriptor.DRIVER_FLUSH_PENDING);
            if (slot.any(SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_CLOSING)) {
                continue;
            }
            beginService();
            try {
                flush(); // onWritable too, should a send take the queue back under the low watermark
            } catch (Throwable failure) {
                fail(failure);
            }
            endService();
        }
        flushCount = 0;
    }

    /** A callback-running service of the bound slot begins: its Connection is usable, no cause yet. */
    private void beginService() {
        connection.active = true;
        cause = null;
    }

    /** The service ends: the connection closes if that was asked for (with its cause), and is unusable again. */
    private void endService() {
        if (closeRequested()) {
            close(cause);
        }
        connection.active = false;
    }

    private boolean closeRequested() {
        return slot.any(SlotDescriptor.DRIVER_CLOSE_REQUESTED);
    }

    /** Flags under which a connection is not read now (readAll says why, and what follows). */
    private static final int NOT_READ_NOW = SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_READ_ENDED
            | SlotDescriptor.DRIVER_READ_PAUSED | SlotDescriptor.DRIVER_UNWRITABLE;

    /** Reads the served connection until it is drained, paused or has had its turn ({@code reads} made so far). */
    private void readAll(int reads) {
        int fd = slot.fd();
        for (; ; reads++) {
            int flags = slot.flags();
            if ((flags & (SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_READ_ENDED)) != 0) {
                return;
            }
            if ((flags & SlotDescriptor.DRIVER_READ_PAUSED) != 0) {
                slot.set(SlotDescriptor.DRIVER_READ_PENDING); // resumeReading serves it again
                return;
            }
            if ((flags & SlotDescriptor.DRIVER_UNWRITABLE) != 0 || reads == MAX_READS_PER_TURN) {
                slot.set(SlotDescriptor.DRIVER_READ_PENDING); // backpressure, or fairness: served again later
                if ((flags & SlotDescriptor.DRIVER_UNWRITABLE) == 0) {
                    requeue(slot.token());
                }
                return;
            }
            int n = io.read(fd, readBuffer.address(), READ_BUFFER_BYTES);
            if (!onRead(n, n > 0 ? view(n) : null, READ_BUFFER_BYTES)) {
                return;
            }
        }
    }

    /**
     * Hands one read's outcome to the handler: {@code n} bytes ({@code data}) of a read of at most
     * {@code capacity}, end of stream, nothing, or an error.
     *
     * @return true when the socket may hold more: the read filled its buffer, or a hang-up was seen
     */
    private boolean onRead(int n, MemorySegment data, int capacity) {
        if (n > 0) {
            slot.clear(SlotDescriptor.DRIVER_READ_PENDING);
            if (timeouts != null) {
                timeouts.read(slot);
            }
            handler.onData(connection, data);
            // Shorter than the buffer: drained at the time of the read, more data raises a new edge.
            return n == capacity || slot.any(SlotDescriptor.DRIVER_HANGUP_SEEN);
        } else if (n == 0) {
            slot.flags((slot.flags() & ~SlotDescriptor.DRIVER_READ_PENDING) | SlotDescriptor.DRIVER_READ_ENDED);
            handler.onReadEnd(connection);
            closeIfBothEnded(slot);
        } else if (n == -Errno.EAGAIN.number()) {
            slot.clear(SlotDescriptor.DRIVER_READ_PENDING);
        } else {
            fail(Errors.newException("read from " + describePeer(), n));
        }
        return false;
    }

    /** The read buffer's first {@code n} bytes, as onData sees them. */
    private MemorySegment view(int n) {
        MemorySegment[] views = smallViews;
        int at = n;
        if (n > SMALL_VIEW_MAX_BYTES) {
            if (n == READ_BUFFER_BYTES) {
                return readBuffer;
            }
            if (bigViews == null) {
                bigViews = new MemorySegment[READ_BUFFER_BYTES - SMALL_VIEW_MAX_BYTES - 1];
            }
            views = bigViews;
            at = n - SMALL_VIEW_MAX_BYTES - 1;
        }
        MemorySegment view = views[at];
        if (view == null) {
            view = readBuffer.asSlice(0, n);
            views[at] = view;
        }
        return view;
    }

    /** On a writable event: sends queued output, then tells the handler when the queue fell to the low watermark. */
    private void flush() {
        int queued = backlog.send(slot);
        if (queued >= 0 && backlog.becameWritable(slot, queued)) {
            handler.onWritable(connection);
        }
    }

    /** Queues the slot {@code token} names again; we are running, so the step's end sees the stack non-empty. */
    void requeue(long token) {
        if (table.markQueued(token)) {
            ready.push(ConnectionTable.indexOfToken(token));
        }
    }

    void closeIfBothEnded(SlotView view) {
        int flags = view.flags();
        if ((flags & SlotDescriptor.DRIVER_READ_ENDED) != 0 && (flags & SlotDescriptor.DRIVER_OUTPUT_SHUT) != 0) {
            view.set(SlotDescriptor.DRIVER_CLOSE_REQUESTED);
        }
    }

    boolean isOpen(SlotView view) {
        return !view.any(SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_CLOSING);
    }

    void requestClose(SlotView view) {
        view.set(SlotDescriptor.DRIVER_CLOSE_REQUESTED);
    }

    /** The connection being served failed: it closes when its callback returns, with this cause. */
    void fail(Throwable failure) {
        if (cause == null) {
            cause = failure;
        }
        slot.set(SlotDescriptor.DRIVER_FAILED | SlotDescriptor.DRIVER_CLOSE_REQUESTED);
    }

    /**
     * Calls onClose for the bound slot if its onOpen ran (not for an outbound connect that did
     * not finish, nor for an accepted connection closed before its first turn, as when the
     * server closes with connections still queued), frees its backlog, closes the descriptor
     * (the token goes stale).
     */
    private void close(Throwable why) {
        boolean counted = !slot.any(SlotDescriptor.DRIVER_CONNECTING); // in the server's count since accept or connect
        boolean opened = slot.any(SlotDescriptor.DRIVER_OPENED);
        slot.set(SlotDescriptor.DRIVER_CLOSING);
        if (opened) {
            connection.active = true;
            try {
                handler.onClose(connection, why);
            } catch (Throwable failure) {
                scheduler().uncaught(failure);
            } finally {
                connection.active = false;
            }
        }
        backlog.unstage(slot); // what the handler wrote leaves before the close, as a direct write's bytes had
        backlog.discard(slot);
        if (timeouts != null) {
            timeouts.clear(slot);
        }
        table.deregister(slot.token(), true);
        if (counted) {
            server.connectionClosed();
        }
    }

    private void finishClosing() {
        table.forEachOpen(server.group(), shard, index -> {
            table.bind(slot, index);
            if (slot.any(SlotDescriptor.DRIVER_CONNECTING)) {
                HandlerServer.PendingConnect waiter = server.takeConnecting(slot.token());
                close(null);
                if (waiter != null) {
                    waiter.promise().fail(new SocketClosedException("connect(" + waiter.address()
                            + ") was pending when the client was closed"));
                }
            } else if (!slot.any(SlotDescriptor.DRIVER_LISTENER)) {
                close(null);
            }
        });
        if (timeouts != null) {
            timeouts.close(); // every connection closed above: no check is left
        }
        releaseQueued(taken); // taken in an earlier step and not served
        taken = ReadyStack.EMPTY;
        releaseQueued(ready.takeAll());
        completeValue(null);
    }

    /** Lets go of the closed slots in a list of queued ones (their QUEUED flag held them). */
    private void releaseQueued(int list) {
        for (int index = list; index != ReadyStack.EMPTY; ) {
            int next = ready.next(index);
            if (ConnectionTable.isClosedState(table.takeReady(index))) {
                table.releaseQueued(index);
            }
            index = next;
        }
    }

    @Override
    public boolean reportsUncaught() {
        return true; // a driver that dies takes its connections with it: never silently
    }

    @Override
    protected void afterCompletion(Throwable failureOrNull) {
        super.afterCompletion(failureOrNull);
        arena.close(); // no step runs after completion: completed in our own last step, or cancelled by shutdown
        chunks.close();
        server.driverFinished();
    }

    /** Throws unless {@code c} is being served by this driver on the calling thread. */
    void check(DriverConnection c) {
        if (!c.active || runner != Thread.currentThread()) {
            throw new IllegalStateException("a Connection may be used only during its handler callback, on that"
                    + " callback's thread: keep its token() instead");
        }
        if (!table.isCurrent(c.slot.token())) {
            throw new IllegalStateException("connection 0x" + Long.toHexString(c.slot.token()) + " is closed");
        }
    }

    InetSocketAddress peerAddress(int fd) throws IOException {
        Errors.check("getpeername", io.peerAddress(fd, sockaddr.address()));
        return SockaddrDescriptor.read(sockaddr);
    }

    /**
     * The peer of the connection being served, for an error message; "fd N" when the kernel no
     * longer knows it (a reset connection). Makes no exception of its own: a reset costs one
     * getpeername and one exception, the connection's cause.
     */
    String describePeer() {
        int fd = slot.fd();
        int rc = io.peerAddress(fd, sockaddr.address());
        if (rc >= 0) {
            return SockaddrDescriptor.read(sockaddr).toString();
        }
        Errno errno = Errno.of(-rc);
        return "fd " + fd + " (peer unknown: getpeername: " + (errno != null ? errno.name() : "errno " + -rc) + ")";
    }
}
