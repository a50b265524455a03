package io.krill.internal.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A multi-producer, single-consumer ring of two-word records in off-heap memory (Vyukov's
 * bounded queue; see the package notes): any thread offers, one worker polls. Lock-free; a full
 * ring refuses an offer.
 */
public final class MpscRing {

    /** What the consumer does with each record. */
    @FunctionalInterface
    public interface RecordHandler {
        void onRecord(long first, long second);
    }

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;
    private final MemorySegment records;
    private final int capacity;
    private final int mask;

    private MpscRing(MemorySegment segment, int capacity) {
        this.segment = segment;
        this.records = segment.asSlice(RingDescriptor.RECORDS_OFFSET);
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    public static MpscRing allocate(Arena arena, int capacity) {
        RingDescriptor.checkCapacity(capacity);
        MemorySegment segment = arena.allocate(
                RingDescriptor.sizeBytes(capacity, RingDescriptor.MPSC_RECORD_SIZE_BYTES), RingDescriptor.ALIGNMENT_BYTES);
        segment.fill((byte) 0);
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.CAPACITY_OFFSET, capacity);
        MpscRing ring = new MpscRing(segment, capacity);
        for (int i = 0; i < capacity; i++) {
            ring.records.set(ValueLayout.JAVA_LONG, ring.sequenceOffset(i), i); // slot i free for position i
        }
        VarHandle.releaseFence(); // the sequences before the ring is handed to other threads
        return ring;
    }

    private long sequenceOffset(long position) {
        return (position & mask) * RingDescriptor.MPSC_RECORD_SIZE_BYTES + RingDescriptor.MPSC_SEQUENCE_OFFSET;
    }

    /**
     * Any thread: appends a record.
     *
     * @return false when the ring is full
     */
    public boolean offer(long first, long second) {
        long position = (long) LONG.getVolatile(segment, (long) RingDescriptor.TAIL_OFFSET);
        for (;;) {
            long sequenceAt = sequenceOffset(position);
            long sequence = (long) LONG.getAcquire(records, sequenceAt); // pairs with the consumer's release
            long lag = sequence - position;
            if (lag == 0) {
                if (LONG.compareAndSet(segment, (long) RingDescriptor.TAIL_OFFSET, position, position + 1)) {
                    long base = sequenceAt - RingDescriptor.MPSC_SEQUENCE_OFFSET;
                    records.set(ValueLayout.JAVA_LONG, base + RingDescriptor.MPSC_FIRST_OFFSET, first);
                    records.set(ValueLayout.JAVA_LONG, base + RingDescriptor.MPSC_SECOND_OFFSET, second);
                    LONG.setRelease(records, sequenceAt, position + 1); // publishes; pairs with poll's getAcquire
                    return true;
                }
                position = (long) LONG.getVolatile(segment, (long) RingDescriptor.TAIL_OFFSET);
            } else if (lag < 0) {
                return false; // the slot still holds a record from a lap ago: full
            } else {
                position = (long) LONG.getVolatile(segment, (long) RingDescriptor.TAIL_OFFSET); // raced: reload
            }
        }
    }

    /**
     * Consumer only: hands published records to {@code handler} in position order, up to
     * {@code max}; stops at the first position claimed but not yet published.
     *
     * @return records consumed
     */
    public int poll(RecordHandler handler, int max) {
        long head = (long) LONG.get(segment, (long) RingDescriptor.HEAD_OFFSET); // plain: own
        int done = 0;
        try {
            while (done < max) {
                long sequenceAt = sequenceOffset(head);
                if ((long) LONG.getAcquire(records, sequenceAt) != head + 1) { // pairs with offer's release
                    break;
                }
                long base = sequenceAt - RingDescriptor.MPSC_SEQUENCE_OFFSET;
                long first = records.get(ValueLayout.JAVA_LONG, base + RingDescriptor.MPSC_FIRST_OFFSET);
                long second = records.get(ValueLayout.JAVA_LONG, base + RingDescriptor.MPSC_SECOND_OFFSET);
                LONG.setRelease(records, sequenceAt, head + capacity); // frees the slot for the next lap
                head++;
                done++;
                handler.onRecord(first, second);
            }
        } finally {
            LONG.setRelease(segment, (long) RingDescriptor.HEAD_OFFSET, head); // for size(); producers use sequences
        }
        return done;
    }

    public int size() {
        long tail = (long) LONG.getAcquire(segment, (long) RingDescriptor.TAIL_OFFSET);
        long head = (long) LONG.getAcquire(segment, (long) RingDescriptor.HEAD_OFFSET);
        return (int) Math.max(0, tail - head);
    }

    public int capacity() {
        return capacity;
    }
}
