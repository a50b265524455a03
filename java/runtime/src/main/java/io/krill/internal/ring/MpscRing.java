package io.krill.internal.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A multi-producer, single-consumer ring of two-word records in off-heap memory (Vyukov's
 * bounded queue; see the package notes): any thread offers, one worker polls. Lock-free; a full
 * ring refuses an offer.
 *
 * <p>A record may carry a Java object beside its two words (the bytes of a write, an action):
 * it sits in an on-heap array indexed like the records, written by the producer between its
 * claiming CAS and its releasing store of the sequence, read and cleared by the consumer
 * between its acquiring load of the sequence and its releasing store of the next lap's
 * sequence. The sequence store orders the attachment exactly as it orders the two words.
 */
public final class MpscRing {

    /** What the consumer does with each record. */
    @FunctionalInterface
    public interface RecordHandler {
        /** One record; {@code attachment} is what {@link #offer(long, long, Object)} gave, or null. */
        void onRecord(long first, long second, Object attachment);
    }

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;
    private final MemorySegment records;
    private final int capacity;
    private final int mask;
    /** Written by the producer that claimed a position, cleared by the consumer; see the class notes. */
    private final Object[] attachments;

    private MpscRing(MemorySegment segment, int capacity) {
        this.segment = segment;
        this.attachments = new Object[capacity];
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
        return offer(first, second, null);
    }

    /**
     * Any thread: appends a record with an object beside it.
     *
     * @return false when the ring is full (the attachment is not kept)
     */
    public boolean offer(long first, long second, Object attachment) {
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
                    attachments[(int) (position & mask)] = attachment; // plain: published by the release below
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
                int at = (int) (head & mask);
                Object attachment = attachments[at]; // plain: ordered by the acquire above
                attachments[at] = null; // before the release below hands the slot to the next lap's producer
                LONG.setRelease(records, sequenceAt, head + capacity); // frees the slot for the next lap
                head++;
                done++;
                handler.onRecord(first, second, attachment);
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
