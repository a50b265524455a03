package io.krill.internal.ring;

/**
 * Layout of a ring in off-heap memory: the only place that knows its offsets. Keep in sync
 * with {@code krill.h} (KRILL_RING_*), checked at load by the ABI table.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        tail: next position the producer writes (u64)          |    0
 *  +---------------------------------------------------------------+
 *  |        ... padding: tail alone on its two cache lines         |
 *  +---------------------------------------------------------------+
 *  |        head: next position the consumer reads (u64)           |  128
 *  +---------------------------------------------------------------+
 *  |        ... padding                                            |
 *  +---------------------------------------------------------------+
 *  |        capacity in records (u32, a power of two)              |  256
 *  +---------------------------------------------------------------+
 *  |        ... padding to 384                                     |
 *  +---------------------------------------------------------------+
 *  |        records[capacity]                                      |  384
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * SPSC records are event records (16 bytes, see the JNI package's {@code
 * EventRecordDescriptor}); MPSC records are {@link #MPSC_RECORD_SIZE_BYTES} bytes: a sequence
 * word, then two 64-bit payload words.
 */
public final class RingDescriptor {

    private RingDescriptor() {}

    public static final int TAIL_OFFSET = 0;
    public static final int HEAD_OFFSET = 128;
    public static final int CAPACITY_OFFSET = 256;
    public static final int RECORDS_OFFSET = 384;
    /** Alignment of a ring's memory: the padding above assumes cache lines start at 0. */
    public static final int ALIGNMENT_BYTES = 128;

    public static final int MPSC_SEQUENCE_OFFSET = 0;
    public static final int MPSC_FIRST_OFFSET = 8;
    public static final int MPSC_SECOND_OFFSET = 16;
    public static final int MPSC_RECORD_SIZE_BYTES = 32;

    /** Bytes for a ring of {@code capacity} records of {@code recordSize} bytes. */
    public static long sizeBytes(int capacity, int recordSize) {
        return RECORDS_OFFSET + (long) capacity * recordSize;
    }

    /** Checks a capacity: a power of two, at least 2. */
    public static int checkCapacity(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 2, got " + capacity);
        }
        return capacity;
    }
}
