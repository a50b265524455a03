package io.krill.internal.reactor;

import io.krill.internal.executor.IoDriver;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Readiness;
import io.krill.internal.ring.SpscRing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Registered descriptors, one 64-byte off-heap slot each ({@link SlotDescriptor}), in chunks of
 * {@value #CHUNK_SLOTS} slots: the table grows by adding chunks, never by copying slots.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Tokens</b> are {@code (generation << 24) | index} and travel through {@code epoll_data}.
 * The generation lives in the slot's state word ({@link SlotDescriptor}), beside the readiness
 * and flags: every CAS that applies an event, clears readiness or queues a slot compares the
 * whole word, so it succeeds only while the slot still holds the registration the token names.
 * A check followed by a separate write would let a slot be closed and handed to a new
 * connection in between, and the stale event (or a stale task's clear) would land on the new
 * one. Releasing a slot bumps its generation, so an event or a call carrying the token of a
 * closed connection is recognised as stale and dropped. Generations never wrap: a slot that
 * reaches the last one (after 2^40 uses) is retired, never reused. No token is 0 or the
 * parkers' wake token (-1).
 *
 * <p><b>Readiness</b> is cached in the slot's state word with a 15-bit tick (Tokio's scheme):
 * an event ORs its bits in and advances the tick; a task that met {@code EAGAIN} clears bits
 * only if the tick is still the one it observed ({@link #clearReadiness}), so readiness that
 * arrived meanwhile is never lost. Descriptors are registered edge-triggered: with readiness
 * cached here, edges suffice, and neither level-triggered repeats nor one-shot re-arming
 * ({@code epoll_ctl} per event) are paid.
 *
 * <p><b>Two modes</b>: a Task-API slot's events wake its waiter tasks ({@link Waiters}, this
 * table's {@link #waiters()}); a handler-API slot's events queue it on its driver (below).
 *
 * <p><b>Handler-API slots</b> ({@link #registerHandler}) have no waiters: an event ORs its
 * readiness in and sets QUEUED in the same CAS; the event that set QUEUED pushes the slot onto
 * its group's driver ({@link HandlerGroup#enqueue}), so a slot is on one ready stack at most
 * once. The driver takes the bits back with {@link #takeReady}. A slot closed while QUEUED keeps
 * its index out of the free list until its driver pops it ({@link #releaseQueued}): reusing it
 * earlier would put one index on a ready stack twice.
 *
 * <p>Allocation and release take this object's lock (registration is not per-event work);
 * dispatch and readiness calls are lock-free.
 */
public final class ConnectionTable implements SpscRing.EventHandler, IoDriver {

    static final int CHUNK_SHIFT = 10;
    static final int CHUNK_SLOTS = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SLOTS - 1;
    /** Slots one table can hold: an index must fit below the generation in a token. */
    static final int MAX_SLOTS = 1 << SlotDescriptor.INDEX_BITS;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final Arena arena = Arena.ofShared();
    private final NativeIo io;
    private volatile MemorySegment[] chunks = new MemorySegment[0]; // replaced, never changed in place
    private final Waiters waiters = new Waiters(this);
    private volatile int[] epollFds = new int[0];
    private volatile HandlerGroup[] groups = new HandlerGroup[1]; // index 0: no group; replaced under the lock
    private int freeHead = -1;  // guarded by this
    private volatile int used;  // slots ever handed out (high-water mark); written under the lock
    private volatile int live;  // written under the lock; read without it by busy workers
    /** Live registrations per shard (owner), for metrics: changed under the lock, read without it. */
    private volatile AtomicIntegerArray liveByShard = new AtomicIntegerArray(0);
    private volatile long staleEvents; // incremented without atomicity by dispatching workers: a metric, may undercount
    private int retired; // slots that used their last generation; guarded by this
    private volatile boolean closed;

    public ConnectionTable(NativeIo io) {
        this.io = io;
    }

    /** The system calls of this runtime: every socket call above the reactor goes through it. */
    public NativeIo io() {
        return io;
    }

    /** Binds the worker epoll instances, indexed by worker. */
    public void bindEpolls(int[] fds) {
        this.epollFds = fds.clone();
        this.liveByShard = new AtomicIntegerArray(fds.length);
    }

    // ---- slots -----------------------------------------------------------------------------

    private MemorySegment chunk(int index) {
        return chunks[index >>> CHUNK_SHIFT];
    }

    private static long offset(int index, int field) {
        return (long) (index & CHUNK_MASK) * SlotDescriptor.SIZE_BYTES + field;
    }

    private static int indexOf(long token) {
        return (int) (token & (MAX_SLOTS - 1));
    }

    static long generationOf(long token) {
        return token >>> SlotDescriptor.INDEX_BITS;
    }

    private static long tokenFor(long generation, int index) {
        return (generation << SlotDescriptor.INDEX_BITS) | index;
    }

    /** The state word of the slot {@code token} names, or -1 when the index was never handed out. */
    private long stateOf(long token) {
        int index = indexOf(token);
        if (index >= used) {
            return -1L;
        }
        Interleaving.point("read state");
        return (long) LONG.getAcquire(chunk(index), offset(index, SlotDescriptor.STATE_OFFSET));
    }

    /** True while {@code token} names a live registration. Any thread. */
    public boolean isCurrent(long token) {
        long state = stateOf(token);
        return state != -1L && SlotDescriptor.isLive(state, generationOf(token));
    }

    private static IllegalStateException stale(long token) {
        return new IllegalStateException("stale connection token 0x" + Long.toHexString(token)
                + ": the connection was closed (its slot may serve another one now)");
    }

    private int allocate() {
        if (freeHead >= 0) {
            int index = freeHead;
            freeHead = (int) INT.get(chunk(index), offset(index, SlotDescriptor.NEXT_FREE_OFFSET));
            return index;
        }
        int index = used;
        if (index == MAX_SLOTS) {
            throw new IllegalStateException("the connection table is full: " + MAX_SLOTS + " slots in use"
                    + (retired > 0 ? " or retired (" + retired + " used all their generations)" : ""));
        }
        if ((index & CHUNK_MASK) == 0 && (index >>> CHUNK_SHIFT) == chunks.length) {
            MemorySegment chunk = arena.allocate((long) CHUNK_SLOTS * SlotDescriptor.SIZE_BYTES, 64);
            chunk.fill((byte) 0);
            for (int i = 0; i < CHUNK_SLOTS; i++) { // free slots are CLOSED; the first generation is 1
                chunk.set(ValueLayout.JAVA_LONG, (long) i * SlotDescriptor.SIZE_BYTES + SlotDescriptor.STATE_OFFSET,
                        SlotDescriptor.ofGeneration(1) | SlotDescriptor.FLAG_CLOSED);
            }
            int n = chunks.length;
            waiters.addChunk(n);
            MemorySegment[] c = Arrays.copyOf(chunks, n + 1);
            c[n] = chunk;
            chunks = c; // published last: a reader that sees the chunk sees its waiter arrays
        }
        used = index + 1;
        return index;
    }

    /**
     * Takes ownership of {@code fd} and registers it, edge-triggered, with worker {@code owner}'s
     * epoll instance.
     *
     * @return the connection's token
     * @throws IOException when epoll refuses the descriptor (the fd is then not owned)
     */
    public synchronized long register(int fd, int interest, int owner) throws IOException {
        return add(fd, interest, owner, 0L, 0, 0, 0L); // open, not ready, tick 0
    }

    /**
     * Registers {@code fd} as a handler-API connection (or listener) of {@code group}: its
     * events queue the slot on the group's driver for shard {@code owner}. With {@code opening},
     * the slot starts QUEUED and OPENING, and the caller must push it onto that driver itself
     * (so that the driver calls onOpen before any data callback).
     *
     * @return the connection's token
     * @throws IOException when epoll refuses the descriptor (the fd is then not owned)
     */
    public synchronized long registerHandler(int fd, int owner, int group, int driverFlags, boolean opening)
            throws IOException {
        return registerHandler(fd, owner, group, driverFlags, opening, 0L);
    }

    /** As {@link #registerHandler(int, int, int, int, boolean)}, with the user area's first long set to {@code userLong0}. */
    public synchronized long registerHandler(int fd, int owner, int group, int driverFlags, boolean opening, long userLong0)
            throws IOException {
        long state = SlotDescriptor.FLAG_HANDLER
                | (opening ? SlotDescriptor.FLAG_QUEUED | SlotDescriptor.FLAG_OPENING : 0);
        return add(fd, Readiness.READABLE | Readiness.WRITABLE, owner, state, group, driverFlags, userLong0);
    }

    /** Fills a fresh slot, publishes it with {@code state}, and adds {@code fd} to the owner's epoll. */
    private long add(int fd, int interest, int owner, long state, int group, int driverFlags, long userLong0)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("the reactor is shut down");
        }
        int index = allocate();
        MemorySegment chunk = chunk(index);
        long generation = SlotDescriptor.generation((long) LONG.get(chunk, offset(index, SlotDescriptor.STATE_OFFSET)));
        long token = tokenFor(generation, index);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.FD_OFFSET), fd);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.TIMEOUT_ROW_OFFSET), 0);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.INTEREST_OFFSET), interest);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.OWNER_OFFSET), owner);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.BACKLOG_HEAD_OFFSET), -1);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.BACKLOG_TAIL_OFFSET), -1);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.BACKLOG_BYTES_OFFSET), 0);
        chunk.set(ValueLayout.JAVA_SHORT, offset(index, SlotDescriptor.GROUP_OFFSET), (short) group);
        chunk.set(ValueLayout.JAVA_SHORT, offset(index, SlotDescriptor.DRIVER_FLAGS_OFFSET), (short) driverFlags);
        chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset(index, SlotDescriptor.USER_AREA_OFFSET), userLong0);
        chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, offset(index, SlotDescriptor.USER_AREA_OFFSET + Long.BYTES), 0L);
        // Release: publishes the fields above to a dispatcher that reads the state with acquire.
        Interleaving.point("open slot");
        LONG.setRelease(chunk, offset(index, SlotDescriptor.STATE_OFFSET), SlotDescriptor.ofGeneration(generation) | state);
        int rc = io.epollAdd(epollFds[owner], fd, interest | Readiness.EDGE_TRIGGERED, token);
        if (rc < 0) {
            release(index, chunk, generation); // the caller keeps the fd
            throw Errors.newException("epoll_ctl(ADD fd " + fd + ")", rc);
        }
        live++;
        countLive(owner, 1);
        return token;
    }

    /** Adds a handler group (a server): its id goes into its slots. */
    public synchronized int addGroup(HandlerGroup group) {
        HandlerGroup[] current = groups;
        for (int id = 1; id < current.length; id++) {
            if (current[id] == null) {
                HandlerGroup[] next = current.clone();
                next[id] = group;
                groups = next;
                return id;
            }
        }
        if (current.length > 0xFFFF) {
            throw new IllegalStateException("too many servers on one runtime (65,535)");
        }
        HandlerGroup[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = group;
        groups = next;
        return current.length;
    }

    /** Removes a group whose slots are all closed; its id may be given to another. */
    public synchronized void removeGroup(int id) {
        HandlerGroup[] next = groups.clone();
        next[id] = null;
        groups = next;
    }

    /**
     * Closes a registration: no event or call with its token has effect afterwards, waiters are
     * woken (they find it closed), and the descriptor is closed when {@code closeFd}.
     *
     * @return false when the token was already stale
     */
    public boolean deregister(long token, boolean closeFd) {
        int fd;
        int index = indexOf(token);
        synchronized (this) {
            if (index >= used) {
                return false;
            }
            MemorySegment chunk = chunk(index);
            long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
            long state;
            do {
                Interleaving.point("read state to close");
                state = (long) LONG.getAcquire(chunk, stateOffset);
                if (!SlotDescriptor.isLive(state, generationOf(token))) {
                    return false;
                }
                Interleaving.point("close slot");
            } while (!LONG.compareAndSet(chunk, stateOffset, state, state | SlotDescriptor.FLAG_CLOSED));
            fd = chunk.get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.FD_OFFSET));
            int owner = chunk.get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.OWNER_OFFSET));
            if (closeFd) {
                // Closing the descriptor takes it out of the epoll set: Krill never dups one, and a
                // forked child's copy (until its exec) can only bring events with this stale token.
                // One system call per close instead of two (a burst of 15,000 closes, #12).
                io.close(fd);
            } else {
                io.epollDelete(epollFds[owner], fd); // -EBADF/-ENOENT: already gone with the fd; nothing to undo
            }
            if ((state & SlotDescriptor.FLAG_QUEUED) == 0) {
                release(index, chunk, generationOf(token));
            }
            // else on a ready stack: stale from now on (CLOSED), reusable once its driver has popped it.
            live--;
            countLive(owner, -1);
        }
        waiters.wakeAll(index);
        return true;
    }

    /**
     * Frees a closed slot for reuse under the next generation, or retires it when it has used
     * the last one: a wrapped generation could make a very old token look current. Under the lock.
     */
    private void release(int index, MemorySegment chunk, long generation) {
        long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
        Interleaving.point("release slot");
        if (generation >= SlotDescriptor.LAST_GENERATION) {
            LONG.setRelease(chunk, stateOffset, SlotDescriptor.ofGeneration(generation) | SlotDescriptor.FLAG_CLOSED);
            retired++;
            return;
        }
        LONG.setRelease(chunk, stateOffset, SlotDescriptor.ofGeneration(generation + 1) | SlotDescriptor.FLAG_CLOSED);
        chunk.set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.NEXT_FREE_OFFSET), freeHead);
        freeHead = index;
    }

    /** A driver popped a slot that was closed while QUEUED: it may now be reused. */
    public synchronized void releaseQueued(int index) {
        if (!closed) {
            MemorySegment chunk = chunk(index);
            release(index, chunk, SlotDescriptor.generation((long) LONG.getAcquire(chunk, offset(index, SlotDescriptor.STATE_OFFSET))));
        }
    }

    /** Slots retired because they used every generation (see {@link #release}). */
    synchronized int retiredSlots() {
        return retired;
    }

    /**
     * Moves a free slot to generation {@code generation}, as if it had been used that many
     * times: lets a test reach the last generation without 2^40 registrations.
     */
    synchronized void ageFreeSlot(int index, long generation) {
        MemorySegment chunk = chunk(index);
        long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
        if (!SlotDescriptor.isClosed((long) LONG.get(chunk, stateOffset))) {
            throw new IllegalStateException("slot " + index + " is in use");
        }
        LONG.setRelease(chunk, stateOffset, SlotDescriptor.ofGeneration(generation) | SlotDescriptor.FLAG_CLOSED);
    }

    // ---- events (worker thread) -------------------------------------------------------------

    /** An epoll event for {@code token}: cache the readiness, advance the tick, wake waiters. */
    @Override
    public void onEvent(long token, int readiness, int result) {
        int index = indexOf(token);
        if (index >= used) {
            staleEvents++;
            return;
        }
        MemorySegment chunk = chunk(index);
        long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
        long generation = generationOf(token);
        long state;
        for (;;) {
            Interleaving.point("event: read state");
            state = (long) LONG.getAcquire(chunk, stateOffset);
            if (!SlotDescriptor.isLive(state, generation)) {
                staleEvents++;
                return; // a closed connection's event: its slot may belong to another now
            }
            long next = SlotDescriptor.withEvent(state, readiness);
            if ((state & SlotDescriptor.FLAG_HANDLER) != 0) {
                next |= SlotDescriptor.FLAG_QUEUED;
            }
            Interleaving.point("event: cas");
            if (LONG.compareAndSet(chunk, stateOffset, state, next)) { // the generation is in the word
                break;
            }
        }
        if ((state & SlotDescriptor.FLAG_HANDLER) != 0) {
            if ((state & SlotDescriptor.FLAG_QUEUED) == 0) {
                enqueue(index, chunk);
            }
            return;
        }
        waiters.wake(index, readiness);
    }

    private void enqueue(int index, MemorySegment chunk) {
        int group = Short.toUnsignedInt(chunk.get(ValueLayout.JAVA_SHORT, offset(index, SlotDescriptor.GROUP_OFFSET)));
        HandlerGroup[] current = groups;
        HandlerGroup target = group < current.length ? current[group] : null;
        if (target != null) {
            target.enqueue(chunk.get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.OWNER_OFFSET)), index);
        }
        // else: the server is gone and closed its slots; this one stays QUEUED and unreleased
        // until the table closes (a close/event race at server shutdown only).
    }

    // ---- readiness (any thread) ---------------------------------------------------------------

    /**
     * The slot's state word (readiness bits, flags, tick), to pass back to {@link #clearReadiness}.
     *
     * @throws IllegalStateException for a stale token
     */
    public long state(long token) {
        long state = stateOf(token);
        if (state == -1L || !SlotDescriptor.isLive(state, generationOf(token))) {
            throw stale(token);
        }
        return state;
    }

    public static int readinessOf(long state) {
        return SlotDescriptor.readiness(state);
    }

    /** The waiters of Task-API slots. */
    public Waiters waiters() {
        return waiters;
    }

    /** The state word of the slot {@code token} names (any generation), read with acquire (for {@link Waiters}). */
    long stateAt(long token) {
        int index = indexOf(token);
        Interleaving.point("read state");
        return (long) LONG.getAcquire(chunk(index), offset(index, SlotDescriptor.STATE_OFFSET));
    }

    /**
     * After {@code EAGAIN}: clears {@code bits} unless an event advanced the tick since
     * {@code observedState} was read (then the newer readiness stays, and this returns false).
     * A token that went stale meanwhile clears nothing (false): its slot may hold another
     * connection now, whose readiness is not this caller's to clear.
     */
    public boolean clearReadiness(long token, long observedState, int bits) {
        int index = indexOf(token);
        if (index >= used) {
            return false;
        }
        MemorySegment chunk = chunk(index);
        long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
        long generation = generationOf(token);
        for (;;) {
            Interleaving.point("clear: read state");
            long state = (long) LONG.getAcquire(chunk, stateOffset);
            if (!SlotDescriptor.isLive(state, generation) || SlotDescriptor.tick(state) != SlotDescriptor.tick(observedState)) {
                return false;
            }
            Interleaving.point("clear: cas");
            if (LONG.compareAndSet(chunk, stateOffset, state, state & ~(bits & SlotDescriptor.READINESS_MASK))) {
                return true;
            }
        }
    }

    /** The registered descriptor of a live token. */
    public int fd(long token) {
        if (!isCurrent(token)) {
            throw stale(token);
        }
        int index = indexOf(token);
        return chunk(index).get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.FD_OFFSET));
    }

    // ---- handler-API slots (their driver's thread) ----------------------------------------------

    /**
     * The driver popped {@code index}: clears QUEUED, OPENING and the readiness bits in one CAS
     * and returns the state before it, whose bits say what to do. Events after this CAS queue
     * the slot again, so none is lost while the driver works on it.
     */
    public long takeReady(int index) {
        MemorySegment chunk = chunk(index);
        long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
        long clear = SlotDescriptor.FLAG_QUEUED | SlotDescriptor.FLAG_OPENING | SlotDescriptor.READINESS_MASK;
        for (;;) {
            long state = (long) LONG.getAcquire(chunk, stateOffset);
            if (LONG.compareAndSet(chunk, stateOffset, state, state & ~clear)) {
                return state;
            }
        }
    }

    /**
     * Sets QUEUED on the open slot {@code token} names if it lacks it; true when the caller must
     * push it. False for a stale token: the CAS checks the generation, so a slot that was closed
     * and reused since the caller took the token is never queued for the wrong connection.
     */
    public boolean markQueued(long token) {
        int index = indexOf(token);
        MemorySegment chunk = chunk(index);
        long stateOffset = offset(index, SlotDescriptor.STATE_OFFSET);
        long generation = generationOf(token);
        for (;;) {
            Interleaving.point("queue: read state");
            long state = (long) LONG.getAcquire(chunk, stateOffset);
            if (!SlotDescriptor.isLive(state, generation) || (state & SlotDescriptor.FLAG_QUEUED) != 0) {
                return false;
            }
            Interleaving.point("queue: cas");
            if (LONG.compareAndSet(chunk, stateOffset, state, state | SlotDescriptor.FLAG_QUEUED)) {
                return true;
            }
        }
    }

    public static boolean isClosedState(long state) {
        return SlotDescriptor.isClosed(state);
    }

    public static boolean isOpening(long state) {
        return (state & SlotDescriptor.FLAG_OPENING) != 0;
    }

    /** The token of the registration now in slot {@code index} (stale once it closes). */
    public long tokenOf(int index) {
        long state = (long) LONG.getAcquire(chunk(index), offset(index, SlotDescriptor.STATE_OFFSET));
        return tokenFor(SlotDescriptor.generation(state), index);
    }

    /** The shard (worker index) whose epoll slot {@code token} is registered with, or -1 once it is stale. Any thread. */
    public int ownerOf(long token) {
        long state = stateOf(token);
        if (state == -1L || !SlotDescriptor.isLive(state, generationOf(token))) {
            return -1;
        }
        int index = indexOf(token);
        return chunk(index).get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.OWNER_OFFSET));
    }

    public static int indexOfToken(long token) {
        return indexOf(token);
    }

    /**
     * The shard of the handler-API slot {@code token} names, if it is open and belongs to
     * {@code group}; else -1 (stale, closed, or another server's). Any thread.
     */
    public int handlerShard(long token, int group) {
        long state = stateOf(token);
        if (state == -1L || !SlotDescriptor.isLive(state, generationOf(token))) {
            return -1;
        }
        int index = indexOf(token);
        MemorySegment chunk = chunk(index);
        if ((state & SlotDescriptor.FLAG_HANDLER) == 0
                || Short.toUnsignedInt(chunk.get(ValueLayout.JAVA_SHORT, offset(index, SlotDescriptor.GROUP_OFFSET))) != group) {
            return -1;
        }
        return chunk.get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.OWNER_OFFSET));
    }

    /**
     * The driver flags of slot {@code index} as another thread sees them now: a racy snapshot of
     * fields the owning driver writes plainly, good for advice only (is the connection's queue
     * at its high watermark?), never for a decision that must be exact.
     */
    public int peekDriverFlags(int index) {
        return Short.toUnsignedInt((short) SHORT.getOpaque(chunk(index), offset(index, SlotDescriptor.DRIVER_FLAGS_OFFSET)));
    }

    /** The ready-stack link; written by the pusher before its releasing CAS (see ReadyStack). */
    int readyLink(int index) {
        return chunk(index).get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.READY_LINK_OFFSET));
    }

    void readyLink(int index, int next) {
        chunk(index).set(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.READY_LINK_OFFSET), next);
    }

    /**
     * Points {@code view} at slot {@code index} (one read of the chunk array and of the
     * generation) for the driver that owns it; see {@link SlotView}.
     */
    public void bind(SlotView view, int index) {
        MemorySegment chunk = chunk(index);
        long base = offset(index, 0);
        long token = tokenFor(SlotDescriptor.generation((long) LONG.getAcquire(chunk, base + SlotDescriptor.STATE_OFFSET)), index);
        view.bind(chunk, base, index, token);
    }

    /** Calls {@code action} with the index of every open slot of {@code group} on shard {@code owner}. */
    public void forEachOpen(int group, int owner, java.util.function.IntConsumer action) {
        int limit = used;
        for (int index = 0; index < limit; index++) {
            MemorySegment chunk = chunk(index);
            long state = (long) LONG.getAcquire(chunk, offset(index, SlotDescriptor.STATE_OFFSET));
            if ((state & (SlotDescriptor.FLAG_HANDLER | SlotDescriptor.FLAG_CLOSED)) == SlotDescriptor.FLAG_HANDLER
                    && Short.toUnsignedInt(chunk.get(ValueLayout.JAVA_SHORT, offset(index, SlotDescriptor.GROUP_OFFSET))) == group
                    && chunk.get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.OWNER_OFFSET)) == owner) {
                action.accept(index);
            }
        }
    }

    // ---- bookkeeping ------------------------------------------------------------------------

    public int liveConnections() {
        return live;
    }

    /** Live registrations (connections and listeners) on shard {@code owner}; 0 for a shard never bound. */
    public int liveConnections(int owner) {
        AtomicIntegerArray counts = liveByShard;
        return owner < counts.length() ? counts.get(owner) : 0;
    }

    /** Under the lock, beside {@code live}. */
    private void countLive(int owner, int delta) {
        AtomicIntegerArray counts = liveByShard;
        if (owner < counts.length()) {
            counts.addAndGet(owner, delta);
        }
    }

    /** Slots ever handed out: the table's high-water mark (free slots below it are reused first). */
    public int slotHighWater() {
        return used;
    }

    @Override
    public boolean hasRegistrations() {
        return live > 0;
    }

    /** Events dropped because their token was stale (approximate). */
    public long staleEvents() {
        return staleEvents;
    }

    /** True once {@link #close()} freed the slots' off-heap memory. */
    public boolean isFreed() {
        return !arena.scope().isAlive();
    }

    /** Off-heap bytes held by the slots. */
    public long slotBytes() {
        return (long) chunks.length * CHUNK_SLOTS * SlotDescriptor.SIZE_BYTES;
    }

    /**
     * Closes every registered descriptor and frees the slots; after the workers have stopped.
     * Free slots are always marked CLOSED, so the open ones are exactly the live registrations.
     */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int index = 0; index < used; index++) {
            MemorySegment chunk = chunk(index);
            if (!SlotDescriptor.isClosed((long) LONG.getAcquire(chunk, offset(index, SlotDescriptor.STATE_OFFSET)))) {
                io.close(chunk.get(ValueLayout.JAVA_INT, offset(index, SlotDescriptor.FD_OFFSET)));
            }
        }
        live = 0;
        liveByShard = new AtomicIntegerArray(liveByShard.length());
        arena.close();
    }
}
