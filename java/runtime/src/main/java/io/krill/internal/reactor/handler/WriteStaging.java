package io.krill.internal.reactor.handler;

import io.krill.internal.jni.IoOpDescriptor;
import io.krill.internal.reactor.NativeIo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The write half of the fused crossing: small writes of connections with nothing queued are
 * copied here during a driver step and sent after it by one native call
 * ({@link NativeIo#writeBatch}) instead of one send each. A connection has at most one
 * operation here (its slot's {@code DRIVER_STAGED} flag), and it is extended only while it is
 * the last one, so its bytes leave in the order they were written.
 *
 * <p>Driver thread only.
 */
final class WriteStaging {

    /** Operations per flush. Guess: a step serves at most MAX_SLOTS_PER_STEP (128) connections. */
    static final int OPS = 128;
    /** Bytes copied in per step. Guess: 128 connections of 1 KiB; the rest are written at once. */
    static final int BYTES = 128 * 1024;
    /** Longer writes are sent at once, without the copy (the copy costs more than the crossing). */
    static final int MAX_WRITE_BYTES = 16 * 1024;

    private final MemorySegment ops;
    private final MemorySegment data;
    private final long[] tokens = new long[OPS];
    private final int[] indices = new int[OPS];
    private final int[] offsets = new int[OPS];
    private final int[] lengths = new int[OPS];
    private int count;
    private int used;

    WriteStaging(Arena arena) {
        this.ops = arena.allocate((long) OPS * IoOpDescriptor.SIZE_BYTES, 8);
        this.data = arena.allocate(BYTES, 64);
    }

    int count() {
        return count;
    }

    /**
     * Copies {@code src[offset, offset + length)} in as the operation of connection {@code token}
     * (slot {@code index}, descriptor {@code fd}).
     *
     * @return false when it does not fit: the caller writes the bytes itself
     */
    boolean add(int index, long token, int fd, MemorySegment src, long offset, int length) {
        if (count == OPS || length > MAX_WRITE_BYTES || length > BYTES - used) {
            return false;
        }
        MemorySegment.copy(src, offset, data, used, length);
        IoOpDescriptor.set(ops, count, fd, data.address() + used, length);
        tokens[count] = token;
        indices[count] = index;
        offsets[count] = used;
        lengths[count] = length;
        count++;
        used += length;
        return true;
    }

    /**
     * Appends to connection {@code token}'s operation when it is the last one and stays under {@code limit}
     * bytes in all.
     *
     * @return false when it cannot: the caller takes the operation back and writes itself
     */
    boolean extend(long token, MemorySegment src, long offset, int length, int limit) {
        int last = count - 1;
        if (last < 0 || tokens[last] != token || IoOpDescriptor.fd(ops, last) == IoOpDescriptor.SKIP) {
            return false;
        }
        int total = lengths[last] + length;
        if (length > BYTES - used || total > MAX_WRITE_BYTES || total >= limit) {
            return false;
        }
        MemorySegment.copy(src, offset, data, used, length);
        used += length;
        lengths[last] = total;
        IoOpDescriptor.length(ops, last, total);
        return true;
    }

    /**
     * Takes connection {@code token}'s operation out of the batch (it is sent by the caller, or
     * dropped): its position, whose {@link #offset} and {@link #length} stay valid until
     * {@link #clear}; -1 when it has none.
     */
    int take(long token) {
        for (int i = count - 1; i >= 0; i--) {
            if (tokens[i] == token && IoOpDescriptor.fd(ops, i) != IoOpDescriptor.SKIP) {
                IoOpDescriptor.fd(ops, i, IoOpDescriptor.SKIP);
                return i;
            }
        }
        return -1;
    }

    /**
     * Sends every operation: one native call; then {@link #result} tells each one's outcome. A
     * call that fails as a whole fails each send with its error.
     */
    void run(NativeIo io) {
        IoOpDescriptor.settle(ops, count, io.writeBatch(ops.address(), count));
    }

    boolean skipped(int i) {
        return IoOpDescriptor.fd(ops, i) == IoOpDescriptor.SKIP;
    }

    long token(int i) {
        return tokens[i];
    }

    int index(int i) {
        return indices[i];
    }

    /** Operation {@code i}'s bytes sent, or {@code -errno}, after {@link #run}. */
    int result(int i) {
        return IoOpDescriptor.length(ops, i);
    }

    /** Where operation {@code i}'s bytes start in {@link #data}. */
    int offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return lengths[i];
    }

    long address(int i) {
        return data.address() + offsets[i];
    }

    MemorySegment data() {
        return data;
    }

    void clear() {
        count = 0;
        used = 0;
    }
}
