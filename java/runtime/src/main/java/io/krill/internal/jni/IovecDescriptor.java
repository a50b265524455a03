package io.krill.internal.jni;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layout of {@code struct iovec} as this platform's C library defines it (64-bit: base pointer,
 * then length). The only class that knows its offsets; checked against C at load.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  iov_base (64-bit address)                    |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  iov_len (64-bit length in bytes)             |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class IovecDescriptor {

    private IovecDescriptor() {}

    public static final int BASE_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int SIZE_BYTES = 16;

    /** Points entry {@code index} of an iovec array at {@code lengthBytes} bytes at {@code address}. */
    public static void set(MemorySegment iovecs, int index, long address, long lengthBytes) {
        long base = (long) index * SIZE_BYTES;
        iovecs.set(ValueLayout.JAVA_LONG, base + BASE_OFFSET, address);
        iovecs.set(ValueLayout.JAVA_LONG, base + LENGTH_OFFSET, lengthBytes);
    }
}
