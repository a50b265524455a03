package io.krill.internal.reactor.handler;

import io.krill.internal.jni.IoOpDescriptor;
import io.krill.internal.reactor.NativeIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The read half of the fused crossing: the reads one driver step owes its ready connections,
 * made by one native call ({@link NativeIo#readBatch}) instead of one each. Each read lands in
 * a region of its own, so every connection's bytes stay put until the driver hands them to
 * {@code onData}; a read that fills its region goes on in the driver's big read buffer.
 *
 * <p>Driver thread only, like the rest of the driver's state.
 */
final class ReadBatch {

    /**
     * Reads per native call. Guess: with 64 ready connections two calls, so under 0.1 crossings
     * per event with the poll and the write flush; 32 regions of REGION_BYTES are 256 KiB.
     */
    static final int REGIONS = 32;
    /**
     * Bytes per read. Guess: above a 4 KiB message (a full region means "read again", which would
     * cost a 4 KiB echo an EAGAIN read each), below the big buffer's 64 KiB for bulk transfers.
     */
    static final int REGION_BYTES = 8 * 1024;
    /** Views kept per region, by length (direct-mapped): repeated lengths allocate nothing. */
    private static final int VIEW_WAYS = 8;

    private final MemorySegment ops;
    private final MemorySegment regions;
    private final int[] indices = new int[REGIONS];
    private final long[] tokens = new long[REGIONS];
    private final MemorySegment[] views = new MemorySegment[REGIONS * VIEW_WAYS];
    private int count;

    ReadBatch(Arena arena) {
        this.ops = arena.allocate((long) REGIONS * IoOpDescriptor.SIZE_BYTES, 8);
        this.regions = arena.allocate((long) REGIONS * REGION_BYTES, 64);
    }

    int count() {
        return count;
    }

    boolean isFull() {
        return count == REGIONS;
    }

    /**
     * Queues a read of connection {@code token} (slot {@code index}, descriptor {@code fd}),
     * unless the slot has one queued already: that read takes whatever is there when the batch
     * runs, and a second would hand its bytes over after the first one's continuation.
     *
     * @return false when the slot's read was queued already
     */
    boolean add(int index, long token, int fd) {
        for (int i = 0; i < count; i++) {
            if (indices[i] == index) {
                return false;
            }
        }
        IoOpDescriptor.set(ops, count, fd, regions.address() + (long) count * REGION_BYTES, REGION_BYTES);
        indices[count] = index;
        tokens[count] = token;
        count++;
        return true;
    }

    /** Makes the queued reads: one native call. A call that fails as a whole fails each read with its error. */
    void run(NativeIo io) {
        IoOpDescriptor.settle(ops, count, io.readBatch(ops.address(), count));
    }

    int index(int i) {
        return indices[i];
    }

    long token(int i) {
        return tokens[i];
    }

    /** Read {@code i}'s outcome: bytes read, 0 at end of stream, or {@code -errno}. */
    int result(int i) {
        return IoOpDescriptor.length(ops, i);
    }

    /** The {@code n} bytes read {@code i} brought, as onData sees them. */
    MemorySegment view(int i, int n) {
        int way = i * VIEW_WAYS + (n & (VIEW_WAYS - 1));
        MemorySegment view = views[way];
        if (view == null || view.byteSize() != n) {
            view = regions.asSlice((long) i * REGION_BYTES, n);
            views[way] = view;
        }
        return view;
    }

    void clear() {
        count = 0;
    }
}
