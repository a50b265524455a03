package io.krill.internal.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A single-producer, single-consumer ring of event records in off-heap memory, shared with C
 * (see the package notes). The producer may be C ({@code krill_ring_offer}), Java holding the
 * ring ({@link #offer}) or Java knowing only its address, as C's poll shim does (a backend
 * written in Java: {@link #roomAt}, {@link #putAt}, {@link #publishAt}); the consumer is a
 * worker ({@link #drain}).
 */
public final class SpscRing {

    /** What the consumer does with each record; called on the consumer's thread. */
    @FunctionalInterface
    public interface EventHandler {
        void onEvent(long token, int readiness, int result);
    }

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    /** For the producer that knows a ring by its address only. */
    private static final MemorySegment EVERYWHERE = AddressSpace.ALL;

    private final MemorySegment segment;
    private final MemorySegment records;
    private final int capacity;
    private final int mask;

    private SpscRing(MemorySegment segment, int capacity) {
        this.segment = segment;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.records = segment.asSlice(RingDescriptor.RECORDS_OFFSET);
    }

    /** A zeroed ring of {@code capacity} records in memory owned by {@code arena}. */
    public static SpscRing allocate(Arena arena, int capacity) {
        RingDescriptor.checkCapacity(capacity);
        MemorySegment segment = arena.allocate(
                RingDescriptor.sizeBytes(capacity, EventRecordDescriptor.SIZE_BYTES), RingDescriptor.ALIGNMENT_BYTES);
        segment.fill((byte) 0);
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.CAPACITY_OFFSET, capacity);
        return new SpscRing(segment, capacity);
    }

    /** The ring's address, for C. */
    public long address() {
        return segment.address();
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Producer side (Java): appends a record.
     *
     * @return false when the ring is full
     */
    public boolean offer(long token, int readiness, int result) {
        long tail = (long) LONG.get(segment, (long) RingDescriptor.TAIL_OFFSET); // plain: own
        long head = (long) LONG.getAcquire(segment, (long) RingDescriptor.HEAD_OFFSET); // pairs with setRelease in drain
        if (tail - head >= capacity) {
            return false;
        }
        long at = (tail & mask) * EventRecordDescriptor.SIZE_BYTES;
        records.set(ValueLayout.JAVA_LONG, at + EventRecordDescriptor.TOKEN_OFFSET, token);
        records.set(ValueLayout.JAVA_INT, at + EventRecordDescriptor.READINESS_OFFSET, readiness);
        records.set(ValueLayout.JAVA_INT, at + EventRecordDescriptor.RESULT_OFFSET, result);
        LONG.setRelease(segment, (long) RingDescriptor.TAIL_OFFSET, tail + 1); // pairs with getAcquire in drain
        return true;
    }

    /**
     * Consumer side: hands up to {@code max} records to {@code handler}, oldest first, without
     * allocating. A record whose handler throws counts as consumed (head is published in a
     * finally block), so a failing handler cannot wedge the ring.
     *
     * @return records consumed
     */
    public int drain(EventHandler handler, int max) {
        long head = (long) LONG.get(segment, (long) RingDescriptor.HEAD_OFFSET); // plain: own
        long tail = (long) LONG.getAcquire(segment, (long) RingDescriptor.TAIL_OFFSET); // pairs with the producer's release
        int n = (int) Math.min(tail - head, max);
        int done = 0;
        try {
            while (done < n) {
                int index = (int) ((head + done) & mask);
                done++;
                handler.onEvent(EventRecordDescriptor.token(records, index),
                        EventRecordDescriptor.readiness(records, index),
                        EventRecordDescriptor.result(records, index));
            }
        } finally {
            // Pairs with the producer's getAcquire of head: these slots may now be reused.
            LONG.setRelease(segment, (long) RingDescriptor.HEAD_OFFSET, head + done);
        }
        return done;
    }

    // ---- The producer that knows the ring by its address (the same orderings as krill_ring.c) ----

    /**
     * Records the producer may append now to the ring at {@code ringAddress}: its capacity less
     * what the consumer has not drained. Producer's thread only.
     */
    public static int roomAt(long ringAddress) {
        long tail = (long) LONG.get(EVERYWHERE, ringAddress + RingDescriptor.TAIL_OFFSET); // plain: own
        long head = (long) LONG.getAcquire(EVERYWHERE, ringAddress + RingDescriptor.HEAD_OFFSET); // pairs with drain's release
        int capacity = EVERYWHERE.get(ValueLayout.JAVA_INT, ringAddress + RingDescriptor.CAPACITY_OFFSET);
        return (int) (capacity - (tail - head));
    }

    /**
     * Writes record {@code index} past the tail of the ring at {@code ringAddress}, unpublished:
     * the consumer sees it after {@link #publishAt}. {@code index} must be below {@link #roomAt}.
     */
    public static void putAt(long ringAddress, int index, long token, int readiness, int result) {
        long tail = (long) LONG.get(EVERYWHERE, ringAddress + RingDescriptor.TAIL_OFFSET); // plain: own
        int mask = EVERYWHERE.get(ValueLayout.JAVA_INT, ringAddress + RingDescriptor.CAPACITY_OFFSET) - 1;
        long at = ringAddress + RingDescriptor.RECORDS_OFFSET + ((tail + index) & mask) * EventRecordDescriptor.SIZE_BYTES;
        EVERYWHERE.set(ValueLayout.JAVA_LONG, at + EventRecordDescriptor.TOKEN_OFFSET, token);
        EVERYWHERE.set(ValueLayout.JAVA_INT, at + EventRecordDescriptor.READINESS_OFFSET, readiness);
        EVERYWHERE.set(ValueLayout.JAVA_INT, at + EventRecordDescriptor.RESULT_OFFSET, result);
    }

    /** Publishes the {@code count} records written by {@link #putAt}, with one release store of tail. */
    public static void publishAt(long ringAddress, int count) {
        long tail = (long) LONG.get(EVERYWHERE, ringAddress + RingDescriptor.TAIL_OFFSET); // plain: own
        LONG.setRelease(EVERYWHERE, ringAddress + RingDescriptor.TAIL_OFFSET, tail + count); // pairs with drain's acquire
    }

    /** Records waiting (a snapshot from any thread). */
    public int size() {
        long tail = (long) LONG.getAcquire(segment, (long) RingDescriptor.TAIL_OFFSET);
        long head = (long) LONG.getAcquire(segment, (long) RingDescriptor.HEAD_OFFSET);
        return (int) (tail - head);
    }
}
