package io.krill.examples;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The request-head count of the handler-API http server ({@link HttpHandler}), apart from its
 * I/O so that it can be checked on its own (HeadScannerFuzzTest): a read is scanned where it
 * landed, in the driver's read buffer, and never kept. What one read leaves for the next is one
 * 32-bit state word, which the connection keeps in its slot:
 *
 * <pre>
 *  31                                 3    2     1   0
 * +------------------------------------+--------+-------+
 * |   head bytes so far (29 bits)      | REFUSED| match |
 * +------------------------------------+--------+-------+
 * </pre>
 *
 * <ul>
 *   <li>match: how many bytes of "\r\n\r\n" the unfinished head ends with (0 to 3), the state of
 *       the search for its end; a head end split across reads is so found in the next one, and
 *       no byte is scanned twice;</li>
 *   <li>head bytes: the unfinished head's length so far (0: no head begun); a head counts from
 *       the byte after the last head end, its own "\r\n\r\n" included, as {@link HeadScanner}
 *       counts it;</li>
 *   <li>REFUSED: a head went over the limit; the connection answers 431 and counts no more.</li>
 * </ul>
 *
 * <p>Immutable, so one counter serves every worker.
 */
final class HeadCounter {

    static final int MATCH_MASK = 0b11;
    static final int REFUSED = 1 << 2;
    static final int HEAD_BYTES_SHIFT = 3;
    /** The most head bytes the word holds is 2^29 - 1; a limit leaves room for one more. */
    static final int MAX_LIMIT_BYTES = (1 << (Integer.SIZE - HEAD_BYTES_SHIFT)) - 2;

    /** A head ends: the state after "\r\n\r\n" (never stored). */
    private static final int HEAD_END = 4;
    private static final long ALL_CR = 0x0D0D0D0D0D0D0D0DL;
    private static final long ALL_ONES = 0x0101010101010101L;
    private static final long ALL_HIGH_BITS = 0x8080808080808080L;

    private final int maxHeadBytes;

    HeadCounter(int maxHeadBytes) {
        if (maxHeadBytes < HEAD_END || maxHeadBytes > MAX_LIMIT_BYTES) {
            throw new IllegalArgumentException("a head limit must be in [" + HEAD_END + ", " + MAX_LIMIT_BYTES + "], got "
                    + maxHeadBytes);
        }
        this.maxHeadBytes = maxHeadBytes;
    }

    /**
     * Scans one read, {@code data} (all of it), on from {@code state} (0 for a fresh
     * connection), and returns the heads it completes with the state after it, packed:
     * {@link #heads(long)} and {@link #state(long)}. A head over the limit, complete or not,
     * gives a state with {@link #REFUSED} and no heads: the heads before it in the same read
     * are not answered either (the client broke the protocol), as {@link HeadScanner} does.
     * Allocates nothing.
     */
    long count(MemorySegment data, int state) {
        int n = Math.toIntExact(data.byteSize()); // one read: the driver's buffer is 64 KiB
        int match = state & MATCH_MASK;
        int start = -(state >>> HEAD_BYTES_SHIFT); // where the unfinished head began, relative to data
        int heads = 0;
        int i = 0;
        while (i < n) {
            if (match == 0) {
                i = nextCr(data, i, n); // from no match, only '\r' changes the state
                if (i - start > maxHeadBytes) {
                    return REFUSED; // the head is past the limit already, whether it ends or not
                }
                if (i == n) {
                    break;
                }
            }
            match = next(match, data.get(ValueLayout.JAVA_BYTE, i++));
            if (match == HEAD_END) {
                if (i - start > maxHeadBytes) {
                    return REFUSED;
                }
                heads++;
                start = i;
                match = 0;
            }
        }
        int headBytes = n - start;
        if (headBytes > maxHeadBytes) {
            return REFUSED;
        }
        return (long) heads << Integer.SIZE | Integer.toUnsignedLong(headBytes << HEAD_BYTES_SHIFT | match);
    }

    /** The heads a {@link #count} completed. */
    static int heads(long counted) {
        return (int) (counted >>> Integer.SIZE);
    }

    /** The state word after a {@link #count}. */
    static int state(long counted) {
        return (int) counted;
    }

    static boolean refused(int state) {
        return (state & REFUSED) != 0;
    }

    /** True while a head is begun and not ended (its bytes are counted; the bytes themselves are gone). */
    static boolean partial(int state) {
        return (state >>> HEAD_BYTES_SHIFT) != 0;
    }

    static int headBytes(int state) {
        return state >>> HEAD_BYTES_SHIFT;
    }

    static int match(int state) {
        return state & MATCH_MASK;
    }

    /** The search for "\r\n\r\n" one byte on (the failure links worked out: "\r\n\r" then '\r' is "\r" again). */
    private static int next(int match, byte b) {
        if (b == '\r') {
            return match == 2 ? 3 : 1;
        }
        if (b == '\n') {
            return match == 1 ? 2 : match == 3 ? HEAD_END : 0;
        }
        return 0;
    }

    /**
     * The index of the first '\r' at or after {@code from}, or {@code limit}: eight bytes at a
     * time while a word holds none (a word's zero byte after XOR with '\r'; the test never
     * misses one, and it only says whether there is one, so byte order does not matter).
     */
    private static int nextCr(MemorySegment data, int from, int limit) {
        int i = from;
        while (i + Long.BYTES <= limit) {
            long x = data.get(ValueLayout.JAVA_LONG_UNALIGNED, i) ^ ALL_CR;
            if (((x - ALL_ONES) & ~x & ALL_HIGH_BITS) != 0) {
                break; // a '\r' in this word
            }
            i += Long.BYTES;
        }
        while (i < limit && data.get(ValueLayout.JAVA_BYTE, i) != '\r') {
            i++;
        }
        return i;
    }
}
