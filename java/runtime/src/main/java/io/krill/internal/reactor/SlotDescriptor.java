package io.krill.internal.reactor;

/**
 * Layout of one connection slot in the off-heap {@link ConnectionTable}: the only class that
 * knows its offsets. 64 bytes, so a slot is one cache line.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      file descriptor (i32)                    |  0
 *  +---------------------------------------------------------------+
 *  |                      timeouts' row (i32, handler API)         |  4
 *  +---------------------------------------------------------------+
 *  |                      state word (64): readiness, flags,       |  8
 *  +                      tick, generation (below)                 +
 *  |                                                               | 12
 *  +---------------------------------------------------------------+
 *  |                      interest (i32)                           | 16
 *  +---------------------------------------------------------------+
 *  |                      owner worker (i32)                       | 20
 *  +---------------------------------------------------------------+
 *  |                      next free slot (i32, while free)         | 24
 *  +---------------------------------------------------------------+
 *  |                      next ready slot (i32, while QUEUED)      | 28
 *  +---------------------------------------------------------------+
 *  |                      write backlog: first chunk (i32)         | 32
 *  +---------------------------------------------------------------+
 *  |                      write backlog: last chunk (i32)          | 36
 *  +---------------------------------------------------------------+
 *  |                      write backlog: bytes (i32)               | 40
 *  +---------------------------------------------------------------+
 *  |  handler group (u16)          |  driver flags (16)            | 44
 *  +---------------------------------------------------------------+
 *  |                      user area (16 bytes, handler API)        | 48
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The state word (offset 8, 64 bits) is read and CAS'd as one long:
 * <pre>
 *   63                                  24 23            9 8    5 4       0
 *  +--------------------------------------+---------------+------+---------+
 *  |           generation (40)            |   tick (15)   | flags|readiness|
 *  +--------------------------------------+---------------+------+---------+
 *   flags: CLOSED HANDLER QUEUED OPENING        readiness: Readiness's 5 event bits
 * </pre>
 * The generation sits in the word every event, clear and queueing CASes, so one CAS checks
 * that the slot still holds the registration a token names and changes it (Tokio's
 * {@code ScheduledIo} packs its generation the same way): a stale token can never touch the
 * slot's next user between a check and a write. A token is {@code (generation << 24) | index}.
 * 40 bits of generation is over 10^12 reuses of one slot; a slot that reaches the last
 * generation is retired instead of wrapping ({@link ConnectionTable}). Offsets 4-7 and 28-63 belong to handler-API connections and are written only by the driver that owns the slot's
 * group and shard (one thread at a time), except the ready link, which the pusher writes before
 * its releasing CAS on the ready stack. {@link SlotView} reads and writes them for the driver.
 *
 * <p>The driver flags (offset 46) are the handler engine's per-connection state machine, owned
 * by the shard's driver; no other thread reads them while the slot is open:
 * <pre>
 *   15   14   13   12   11   10   9    8    7    6    5    4    3    2    1    0
 *  +----+----+----+----+----+----+----+----+----+----+----+----+----+----+----+----+
 *  | ST | OP | FP | CN | PR | HS | AP | FA | CG | CR | OS | SP | RE | RP | UW | LI |
 *  +----+----+----+----+----+----+----+----+----+----+----+----+----+----+----+----+
 *   LI listener    UW unwritable (queue reached the high watermark)   RP read pending
 *   RE read ended  SP shutdown pending (FIN after the queue)          OS output shut
 *   CR close requested   CG closing (onClose running or done)          FA failed
 *   AP accept paused (listener back-off)   HS hang-up seen: read to the end
 *   PR reading paused by the handler (pauseReading)   CN connecting (outbound, not yet open)
 *   FP flush pending: writes by token were queued, one send follows the drain of the ring
 *   OP opened: onOpen ran (onClose is owed)
 *   ST staged: a write waits in the driver's write staging, sent by the step's batch
 * </pre>
 */
public final class SlotDescriptor {

    private SlotDescriptor() {}

    static final int FD_OFFSET = 0;
    /**
     * Handler API: the connection's row in its driver's timeout tables plus one (0: none), so
     * that each driver's tables are as long as its own connections with a timeout, not as the
     * highest slot index of all.
     */
    static final int TIMEOUT_ROW_OFFSET = 4;
    static final int STATE_OFFSET = 8;
    static final int INTEREST_OFFSET = 16;
    static final int OWNER_OFFSET = 20;
    static final int NEXT_FREE_OFFSET = 24;
    static final int READY_LINK_OFFSET = 28;
    static final int BACKLOG_HEAD_OFFSET = 32;
    static final int BACKLOG_TAIL_OFFSET = 36;
    static final int BACKLOG_BYTES_OFFSET = 40;
    static final int GROUP_OFFSET = 44;
    static final int DRIVER_FLAGS_OFFSET = 46;
    static final int USER_AREA_OFFSET = 48;
    public static final int USER_AREA_BYTES = 16;
    static final int SIZE_BYTES = 64;

    static final long READINESS_MASK = 0x1FL;
    static final long FLAG_CLOSED = 1L << 5;
    /** A handler-API slot: events queue it on its driver instead of waking waiter tasks. */
    static final long FLAG_HANDLER = 1L << 6;
    /** On its driver's ready stack (or being pushed): pushed at most once until popped. */
    static final long FLAG_QUEUED = 1L << 7;
    /** Registered, its driver has not yet called onOpen. */
    static final long FLAG_OPENING = 1L << 8;
    static final int TICK_SHIFT = 9;
    static final long TICK_MASK = 0x7FFFL << TICK_SHIFT;
    static final int GENERATION_SHIFT = 24;
    /** Generations run from 1 to this; 0 is never used, so no token is 0 or -1. */
    static final long LAST_GENERATION = (1L << 40) - 2;
    /** Slot indices fit below the generation in a token. */
    static final int INDEX_BITS = GENERATION_SHIFT;

    // Driver flags (16 bits at DRIVER_FLAGS_OFFSET), drawn in the class notes.
    public static final int DRIVER_LISTENER = 1;
    public static final int DRIVER_UNWRITABLE = 1 << 1;
    public static final int DRIVER_READ_PENDING = 1 << 2;
    public static final int DRIVER_READ_ENDED = 1 << 3;
    public static final int DRIVER_SHUTDOWN_PENDING = 1 << 4;
    public static final int DRIVER_OUTPUT_SHUT = 1 << 5;
    public static final int DRIVER_CLOSE_REQUESTED = 1 << 6;
    public static final int DRIVER_CLOSING = 1 << 7;
    public static final int DRIVER_FAILED = 1 << 8;
    public static final int DRIVER_ACCEPT_PAUSED = 1 << 9;
    public static final int DRIVER_HANGUP_SEEN = 1 << 10;
    public static final int DRIVER_READ_PAUSED = 1 << 11;
    public static final int DRIVER_CONNECTING = 1 << 12;
    public static final int DRIVER_FLUSH_PENDING = 1 << 13;
    /** onOpen was called: only such a connection gets onClose (one closed while still opening gets none). */
    public static final int DRIVER_OPENED = 1 << 14;
    /** A write of this connection waits in the driver's write staging (the fused crossing). */
    public static final int DRIVER_STAGED = 1 << 15;

    static int readiness(long state) {
        return (int) (state & READINESS_MASK);
    }

    static int tick(long state) {
        return (int) ((state & TICK_MASK) >>> TICK_SHIFT);
    }

    static boolean isClosed(long state) {
        return (state & FLAG_CLOSED) != 0;
    }

    static long generation(long state) {
        return state >>> GENERATION_SHIFT;
    }

    /** The state of a slot that holds generation {@code generation}: its other bits clear. */
    static long ofGeneration(long generation) {
        return generation << GENERATION_SHIFT;
    }

    /** True while {@code state} is open and of {@code generation}: one test for both. */
    static boolean isLive(long state, long generation) {
        return (state & (~((1L << GENERATION_SHIFT) - 1) | FLAG_CLOSED)) == ofGeneration(generation);
    }

    /** New readiness from an event: OR the bits in, advance the tick (wrapping in 15 bits). */
    static long withEvent(long state, int readiness) {
        long tick = ((state & TICK_MASK) + (1L << TICK_SHIFT)) & TICK_MASK;
        return (state & ~TICK_MASK) | tick | (readiness & READINESS_MASK);
    }
}
