package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the http server's head scan against a naive search for "\r\n\r\n" over the whole input:
 * fed the input in fuzz-chosen reads (each cut to the room left in the buffer, as the
 * connection's read is), the scanner must count exactly the heads the naive search finds, keep
 * exactly the partial head at the front of the buffer, never look at bytes past what was read
 * (the rest of the buffer holds stale head ends) and refuse a head longer than the limit, at the
 * latest in the read that takes it past the limit, whether it is complete by then or not. The
 * limit is fuzz-chosen and small, so the fuzzer's short inputs reach it; the buffer is larger
 * than the limit, as the server's is.
 *
 * <p>{@code mvn test} runs the seeds in {@code HeadScannerFuzzTestInputs}; ci/test fuzzes
 * {@link #scanMatchesANaiveSearch} for a few seconds, {@code -Pfuzz-long} for minutes.
 */
class HeadScannerFuzzTest {

    /**
     * The fuzzing time in ci/test (measured: Jazzer's start-up adds about 15 s per target here,
     * so ci/test's three targets stay near a minute).
     */
    static final String SHORT_RUN = "5s";
    /** The fuzzing time with -Pfuzz-long. */
    static final String LONG_RUN = "5m";

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final int MAX_LIMIT_BYTES = 96;
    private static final int MAX_READ_BYTES = 128;

    @FuzzTest(maxDuration = SHORT_RUN)
    void scanMatchesANaiveSearch(FuzzedDataProvider data) {
        int limitBytes = data.consumeInt(HEAD_END.length, MAX_LIMIT_BYTES);
        int bufferBytes = data.consumeInt(limitBytes + 1, 3 * limitBytes);
        int[] reads = new int[data.consumeInt(1, 16)];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = data.consumeInt(1, MAX_READ_BYTES);
        }
        int from = data.consumeInt(0, MAX_READ_BYTES);
        boolean dense = data.consumeBoolean();
        byte[] input = data.consumeRemainingAsBytes();
        if (dense) { // mostly '\r' and '\n': head ends, near misses and long runs of both
            for (int i = 0; i < input.length; i++) {
                int b = input[i] & 0xff;
                input[i] = (byte) (b % 4 == 0 ? '\r' : b % 4 == 1 ? '\n' : b % 4 == 2 ? 'x' : b);
            }
        }
        requestEndIsTheFirstHeadEnd(input, Math.min(from, input.length));
        incrementalScanMatches(input, limitBytes, bufferBytes, reads);
    }

    @Tag("fuzz-long")
    @FuzzTest(maxDuration = LONG_RUN)
    void scanMatchesANaiveSearchLong(FuzzedDataProvider data) {
        scanMatchesANaiveSearch(data);
    }

    /** The SWAR search over a segment of exactly the input's size (reading past it would throw). */
    private static void requestEndIsTheFirstHeadEnd(byte[] input, int from) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment exact = arena.allocate(Math.max(input.length, 1)).asSlice(0, input.length);
            MemorySegment.copy(input, 0, exact, ValueLayout.JAVA_BYTE, 0, input.length);
            assertEquals(naiveEnd(input, from, input.length), HeadScanner.requestEnd(exact, from, input.length),
                    () -> "head end from " + from);
        }
    }

    private static void incrementalScanMatches(byte[] input, int limitBytes, int bufferBytes, int[] reads) {
        List<Integer> ends = new ArrayList<>(); // where each head ends in the input, by the naive search
        for (int end = naiveEnd(input, 0, input.length); end > 0; end = naiveEnd(input, end, input.length)) {
            ends.add(end);
        }
        HeadScanner scanner = new HeadScanner(limitBytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bufferBytes);
            int fed = 0;      // input bytes read so far
            int answered = 0; // heads counted so far
            for (int turn = 0; fed < input.length; turn++) {
                int room = bufferBytes - scanner.filled();
                assertTrue(room > 0, "a scanner that has not refused leaves room for the next read");
                int n = Math.min(Math.min(reads[turn % reads.length], room), input.length - fed);
                for (int i = scanner.filled(); i < bufferBytes; i++) { // stale bytes: head ends everywhere
                    buffer.set(ValueLayout.JAVA_BYTE, i, HEAD_END[i % HEAD_END.length]);
                }
                MemorySegment.copy(input, fed, buffer, ValueLayout.JAVA_BYTE, scanner.filled(), n);
                int before = fed;
                fed += n;
                int heads = scanner.append(buffer, n);

                boolean overLimit = overLimit(ends, fed, limitBytes);
                assertEquals(overLimit, scanner.tooLarge(),
                        "refused iff a head (complete or not) has passed the limit of " + limitBytes + " bytes by input offset " + fed);
                if (overLimit) {
                    return; // the connection answers 431 and closes: nothing more is scanned
                }
                int completed = countEnds(ends, before, fed);
                assertEquals(completed, heads, "heads completed by input bytes [" + before + ", " + fed + ")");
                answered += heads;
                int partialStart = answered == 0 ? 0 : ends.get(answered - 1);
                assertEquals(fed - partialStart, scanner.filled(), "bytes of the partial head kept");
                assertEquals(scanner.filled() > 0, scanner.partial());
                byte[] kept = buffer.asSlice(0, scanner.filled()).toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(Arrays.copyOfRange(input, partialStart, fed), kept, "the partial head at the front");
            }
        }
    }

    /** True when some head has more than {@code limitBytes} of its bytes within the first {@code fed} input bytes. */
    private static boolean overLimit(List<Integer> ends, int fed, int limitBytes) {
        int start = 0;
        for (int end : ends) {
            if (start >= fed) {
                return false;
            }
            if (Math.min(end, fed) - start > limitBytes) {
                return true;
            }
            start = end;
        }
        return start < fed && fed - start > limitBytes; // the unterminated rest
    }

    private static int countEnds(List<Integer> ends, int after, int upTo) {
        int count = 0;
        for (int end : ends) {
            if (end > after && end <= upTo) {
                count++;
            }
        }
        return count;
    }

    /** Offset just past the first "\r\n\r\n" starting at or after {@code from} within {@code limit}, or -1. */
    private static int naiveEnd(byte[] input, int from, int limit) {
        for (int i = from; i + HEAD_END.length <= limit; i++) {
            if (input[i] == '\r' && input[i + 1] == '\n' && input[i + 2] == '\r' && input[i + 3] == '\n') {
                return i + HEAD_END.length;
            }
        }
        return -1;
    }
}
