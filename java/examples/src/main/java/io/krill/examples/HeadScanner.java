package io.krill.examples;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The request-head scan of one http connection ({@link Serve.HttpConnection}), apart from its
 * I/O so that it can be checked on its own (HeadScannerFuzzTest): reads append to a buffer, and
 * each append counts the heads (ended by an empty line) it completes and moves what is left of
 * a partial head to the front of the buffer.
 *
 * <p>The scan resumes where the last one stopped (three bytes back, for a "\r\n\r\n" split across
 * reads), so a head dripped one byte at a time costs linear time, not quadratic.
 */
final class HeadScanner {

    private final int maxHeadBytes;
    private int filled;  // bytes of the buffer in use (the partial head)
    private int scanned; // bytes of the buffer known to hold no complete head end
    private boolean refused; // a head longer than the limit came whole within the last append

    HeadScanner(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    /** For a fresh buffer: nothing in it yet. */
    void reset() {
        filled = 0;
        scanned = 0;
        refused = false;
    }

    /** Where the next read appends: the bytes of the partial head in front of it. */
    int filled() {
        return filled;
    }

    /** True while part of a head is kept in the buffer (so the buffer must be kept too). */
    boolean partial() {
        return filled > 0;
    }

    /**
     * True when a head longer than the limit came: whole in the last append, or as a partial
     * head already past it. The client gets 431, and the scanner is done until {@link #reset()}.
     */
    boolean tooLarge() {
        return refused || filled > maxHeadBytes;
    }

    /**
     * Takes {@code n} bytes that a read put into {@code buffer} at {@link #filled()}.
     *
     * @return the number of heads they complete (up to a head longer than the limit, which
     *         makes {@link #tooLarge()} true)
     */
    int append(MemorySegment buffer, int n) {
        filled += n;
        int heads = 0;
        int consumed = 0; // where the head being looked at begins: the partial head is at 0
        for (int end = requestEnd(buffer, Math.max(0, scanned - 3), filled); end > 0; end = requestEnd(buffer, consumed, filled)) {
            if (end - consumed > maxHeadBytes) {
                refused = true; // whole within this read, so the partial-head check never saw it
                return heads;
            }
            consumed = end;
            heads++;
        }
        if (consumed == filled) {
            reset(); // nothing partial: the connection gives the buffer back
        } else {
            if (consumed > 0) {
                MemorySegment.copy(buffer, consumed, buffer, 0, filled - consumed); // keep the partial head
                filled -= consumed;
            }
            scanned = filled;
        }
        return heads;
    }

    /**
     * The offset just past the first "\r\n\r\n" at or after {@code from}, or -1. Looks for the
     * final '\n' eight bytes at a time (a word with no '\n' byte moves the scan on by eight),
     * then checks the three bytes before it.
     */
    static int requestEnd(MemorySegment buffer, int from, int limit) {
        int i = from;
        while (i + 3 < limit) {
            if (i + 11 <= limit) {
                long x = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, i + 3) ^ 0x0A0A0A0A0A0A0A0AL;
                if (((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) == 0) {
                    i += 8; // no '\n' in bytes i+3 .. i+10: no head ends there
                    continue;
                }
            }
            if (buffer.get(ValueLayout.JAVA_BYTE, i + 3) == '\n' && buffer.get(ValueLayout.JAVA_BYTE, i + 2) == '\r'
                    && buffer.get(ValueLayout.JAVA_BYTE, i + 1) == '\n' && buffer.get(ValueLayout.JAVA_BYTE, i) == '\r') {
                return i + 4;
            }
            i++;
        }
        return -1;
    }
}
