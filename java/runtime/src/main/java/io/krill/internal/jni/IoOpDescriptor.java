package io.krill.internal.jni;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layout of {@code struct krill_io_op}: one read or write of a batch
 * ({@link SocketNative#readBatch}, {@link SocketNative#writeBatch}). The only class that knows
 * its offsets; checked against C at load.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               buffer address (64-bit)                         |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               file descriptor (i32), or -1: skip this one     |  8
 *  +---------------------------------------------------------------+
 *  |               in: bytes to move; out: bytes moved, or -errno  | 12
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A batch makes one system call per operation, in order, with no retry on a short count, and
 * writes each result over that operation's length; a skipped operation is left as it was.
 */
public final class IoOpDescriptor {

    private IoOpDescriptor() {}

    public static final int ADDRESS_OFFSET = 0;
    public static final int FD_OFFSET = 8;
    public static final int LENGTH_OFFSET = 12;
    public static final int SIZE_BYTES = 16;

    /** The fd that tells a batch to skip an operation. */
    public static final int SKIP = -1;

    /** Sets operation {@code index}: move {@code length} bytes at {@code address} through {@code fd}. */
    public static void set(MemorySegment ops, int index, int fd, long address, int length) {
        long base = (long) index * SIZE_BYTES;
        ops.set(ValueLayout.JAVA_LONG, base + ADDRESS_OFFSET, address);
        ops.set(ValueLayout.JAVA_INT, base + FD_OFFSET, fd);
        ops.set(ValueLayout.JAVA_INT, base + LENGTH_OFFSET, length);
    }

    public static int fd(MemorySegment ops, int index) {
        return ops.get(ValueLayout.JAVA_INT, (long) index * SIZE_BYTES + FD_OFFSET);
    }

    public static void fd(MemorySegment ops, int index, int fd) {
        ops.set(ValueLayout.JAVA_INT, (long) index * SIZE_BYTES + FD_OFFSET, fd);
    }

    /** The operation's length before the batch ran, its result (bytes or {@code -errno}) after. */
    public static int length(MemorySegment ops, int index) {
        return ops.get(ValueLayout.JAVA_INT, (long) index * SIZE_BYTES + LENGTH_OFFSET);
    }

    public static void length(MemorySegment ops, int index, int length) {
        ops.set(ValueLayout.JAVA_INT, (long) index * SIZE_BYTES + LENGTH_OFFSET, length);
    }

    /**
     * A batch call of {@code count} operations returned {@code rc}: when it failed as a whole
     * ({@code rc < 0}), every operation fails with that error, so none is read as done.
     */
    public static void settle(MemorySegment ops, int count, int rc) {
        if (rc < 0) {
            for (int i = 0; i < count; i++) {
                length(ops, i, rc);
            }
        }
    }
}
