package io.krill.internal.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layout of the event record a poll writes, one per ready descriptor. The only class that knows
 * its offsets; keep in sync with {@code krill.h:struct krill_event} (checked at load).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        token (low 32 bits)                    |  0
 *  +---------------------------------------------------------------+
 *  |                        token (high 32 bits)                   |  4
 *  +---------------------------------------------------------------+
 *  |                        readiness bits                         |  8
 *  +---------------------------------------------------------------+
 *  |       result: 0, or kqueue's -errno for an error event        | 12
 *  +---------------------------------------------------------------+
 * </pre>
 * Native byte order; records are 8-byte aligned when the buffer is.
 */
public final class EventRecordDescriptor {

    private EventRecordDescriptor() {}

    public static final int TOKEN_OFFSET = 0;
    public static final int READINESS_OFFSET = 8;
    public static final int RESULT_OFFSET = 12;
    public static final int SIZE_BYTES = 16;
    /** Alignment a record buffer must have. */
    public static final int ALIGNMENT_BYTES = 8;

    /** The token of record {@code index}. */
    public static long token(MemorySegment records, int index) {
        return records.get(ValueLayout.JAVA_LONG, (long) index * SIZE_BYTES + TOKEN_OFFSET);
    }

    /** The {@link Readiness} bits of record {@code index}. */
    public static int readiness(MemorySegment records, int index) {
        return records.get(ValueLayout.JAVA_INT, (long) index * SIZE_BYTES + READINESS_OFFSET);
    }

    /** The result field of record {@code index}: 0, or a kqueue error event's {@code -errno}. */
    public static int result(MemorySegment records, int index) {
        return records.get(ValueLayout.JAVA_INT, (long) index * SIZE_BYTES + RESULT_OFFSET);
    }
}
