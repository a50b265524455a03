package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.krill.Task;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes LineReader's framing against a reference that works on the whole stream at once:
 * fuzz-chosen bytes arrive in fuzz-chosen chunks (as a socket splits them), a fuzz-chosen mix of
 * {@code nextLine} and {@code read} takes them out, and every line, every byte read after the
 * lines, the end of stream and the too-long refusal must be what the reference says. Driven
 * through the reader's {@link LineReader.Source} seam with finished tasks, so no socket and no
 * runtime: one input costs microseconds.
 *
 * <p>{@code mvn test} runs the seeds in {@code LineReaderFuzzTestInputs}; ci/test fuzzes
 * {@link #linesMatchTheReference} for a few seconds, {@code -Pfuzz-long} for minutes.
 */
class LineReaderFuzzTest {

    /**
     * The fuzzing time in ci/test (measured: Jazzer's start-up adds about 15 s per target here,
     * so ci/test's three targets stay near a minute).
     */
    static final String SHORT_RUN = "5s";
    /** The fuzzing time with -Pfuzz-long. */
    static final String LONG_RUN = "5m";

    /** Buffer sizes from the smallest allowed to a few chunks' worth: small ones reach the limit often. */
    private static final int MAX_BUFFER_BYTES = 64;
    private static final int MAX_CHUNK_BYTES = 80;
    private static final int MAX_OPERATIONS = 64;

    @FuzzTest(maxDuration = SHORT_RUN)
    void linesMatchTheReference(FuzzedDataProvider data) {
        int bufferBytes = data.consumeInt(2, MAX_BUFFER_BYTES);
        // ISO-8859-1 maps each byte to one char, so a line's bytes are checked exactly; UTF-8 checks decoding.
        Charset charset = data.consumeBoolean() ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        int[] operations = new int[data.consumeInt(0, MAX_OPERATIONS)];
        for (int i = 0; i < operations.length; i++) {
            operations[i] = data.consumeInt(-1, MAX_BUFFER_BYTES); // -1: nextLine; n >= 0: read(n bytes)
        }
        Chunked source = new Chunked(data);
        try (Arena arena = Arena.ofShared()) {
            LineReader reader = new LineReader(source, "fuzz", arena.allocate(bufferBytes), charset);
            Reference expected = new Reference(source.stream, bufferBytes);
            for (int operation : operations) {
                if (operation < 0) {
                    if (!nextLineAsExpected(reader, expected, charset)) {
                        return; // refused as too long: the reader is done
                    }
                } else {
                    readAsExpected(reader, expected, arena.allocate(Math.max(operation, 1)).asSlice(0, operation));
                }
            }
            // Then the rest as lines, to the end of stream.
            while (!expected.endReported) {
                if (!nextLineAsExpected(reader, expected, charset)) {
                    return;
                }
            }
            assertNull(reader.nextLine().join(), "end of stream stays the end");
        }
    }

    @Tag("fuzz-long")
    @FuzzTest(maxDuration = LONG_RUN)
    void linesMatchTheReferenceLong(FuzzedDataProvider data) {
        linesMatchTheReference(data);
    }

    /** One nextLine checked against the reference; false once the reader refused a line as too long. */
    private static boolean nextLineAsExpected(LineReader reader, Reference expected, Charset charset) {
        byte[] line = expected.nextLine();
        if (expected.tooLong) {
            CompletionException e = assertThrows(CompletionException.class, () -> reader.nextLine().join(),
                    () -> "a line longer than the " + expected.capacityBytes + "-byte buffer must be refused");
            LineTooLongException failure = assertInstanceOf(LineTooLongException.class, e.getCause());
            assertEquals(expected.capacityBytes, failure.maxLineBytes());
            assertThrows(IllegalStateException.class, reader::nextLine, "a failed reader stays failed");
            return false;
        }
        String actual = reader.nextLine().join();
        if (line == null) {
            assertNull(actual, "end of stream");
        } else {
            assertEquals(new String(line, charset), actual);
            if (charset == StandardCharsets.ISO_8859_1) {
                assertArrayEquals(line, actual.getBytes(charset));
            }
        }
        return true;
    }

    /** One read: some bytes that come next in the stream (at most what fits), or -1 only at its end. */
    private static void readAsExpected(LineReader reader, Reference expected, MemorySegment destination) {
        int n = reader.read(destination).join();
        if (n < 0) {
            assertEquals(-1, n);
            assertEquals(expected.stream.length, expected.position, "end of stream reported early");
            return;
        }
        assertTrue(n <= destination.byteSize(), () -> n + " bytes read into " + destination.byteSize());
        if (destination.byteSize() > 0 && expected.position < expected.stream.length) {
            assertTrue(n > 0, "a read with bytes left returns some");
        }
        byte[] got = destination.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(expected.take(n), got, "bytes read after the lines");
    }

    /**
     * The stream, and the chunks it arrives in: each read hands out the next chunk (cut to the
     * destination), as a socket would; then end of stream.
     */
    private static final class Chunked implements LineReader.Source {
        final byte[] stream;
        private final int[] chunks;
        private int offset;
        private int chunk;

        Chunked(FuzzedDataProvider data) {
            int[] sizes = new int[data.consumeInt(1, 32)];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = data.consumeInt(1, MAX_CHUNK_BYTES);
            }
            this.chunks = sizes;
            this.stream = data.consumeRemainingAsBytes();
        }

        @Override
        public Task<Integer> read(MemorySegment buffer) {
            if (offset == stream.length) {
                return Task.completed(-1);
            }
            int n = (int) Math.min(Math.min(chunks[chunk++ % chunks.length], stream.length - offset), buffer.byteSize());
            MemorySegment.copy(stream, offset, buffer, ValueLayout.JAVA_BYTE, 0, n);
            offset += n;
            return Task.completed(n);
        }
    }

    /** What LineReader's javadoc promises, computed on the whole stream. */
    private static final class Reference {
        final byte[] stream;
        final int capacityBytes;
        int position;
        boolean tooLong;
        boolean endReported;

        Reference(byte[] stream, int capacityBytes) {
            this.stream = stream;
            this.capacityBytes = capacityBytes;
        }

        /** The next line's bytes without terminator, or null at the end; sets tooLong instead when it does not fit. */
        byte[] nextLine() {
            int lineFeed = -1;
            for (int i = position; i < stream.length; i++) {
                if (stream[i] == '\n') {
                    lineFeed = i;
                    break;
                }
            }
            if (lineFeed < 0) {
                if (position == stream.length) {
                    endReported = true;
                    return null;
                }
                // The last line, unterminated: the reader can only tell it has ended by reading
                // once more, which takes a free byte in the buffer, so it must be shorter than the buffer.
                if (stream.length - position >= capacityBytes) {
                    tooLong = true;
                    return null;
                }
                byte[] last = Arrays.copyOfRange(stream, position, stream.length);
                position = stream.length;
                return last;
            }
            if (lineFeed + 1 - position > capacityBytes) { // the terminator counts towards the limit
                tooLong = true;
                return null;
            }
            int end = lineFeed > position && stream[lineFeed - 1] == '\r' ? lineFeed - 1 : lineFeed;
            byte[] line = Arrays.copyOfRange(stream, position, end);
            position = lineFeed + 1;
            return line;
        }

        byte[] take(int n) {
            if (position + n > stream.length) {
                fail("read " + n + " bytes with only " + (stream.length - position) + " left in the stream");
            }
            byte[] bytes = Arrays.copyOfRange(stream, position, position + n);
            position += n;
            return bytes;
        }
    }
}
