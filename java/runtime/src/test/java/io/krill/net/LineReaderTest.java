package io.krill.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LineReader against a scripted source that hands out chunks of chosen sizes, so that every way
 * a line can be split across reads is reached deterministically (no sockets, no runtime: the
 * tasks are finished ones, continued inline).
 */
class LineReaderTest {

    private Arena arena;

    @BeforeEach
    void setUp() {
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    /** Hands out {@code text} in chunks of {@code chunkBytes} (at most what the buffer takes), then end of stream. */
    private static final class Scripted implements LineReader.Source {
        private final byte[] bytes;
        private final int chunkBytes;
        private int offset;
        int reads;

        Scripted(String text, int chunkBytes) {
            this.bytes = text.getBytes(StandardCharsets.UTF_8);
            this.chunkBytes = chunkBytes;
        }

        @Override
        public Task<Integer> read(MemorySegment buffer) {
            reads++;
            if (offset == bytes.length) {
                return Task.completed(-1);
            }
            int n = (int) Math.min(Math.min(chunkBytes, bytes.length - offset), buffer.byteSize());
            MemorySegment.copy(bytes, offset, buffer, ValueLayout.JAVA_BYTE, 0, n);
            offset += n;
            return Task.completed(n);
        }
    }

    private LineReader reader(String text, int chunkBytes, int bufferBytes) {
        return new LineReader(new Scripted(text, chunkBytes), "scripted", arena.allocate(bufferBytes), StandardCharsets.UTF_8);
    }

    private static List<String> allLines(LineReader reader) {
        List<String> lines = new ArrayList<>();
        for (String line = reader.nextLine().join(); line != null; line = reader.nextLine().join()) {
            lines.add(line);
        }
        assertNull(reader.nextLine().join(), "end of stream stays the end");
        return lines;
    }

    @Test
    void linesEndWithLineFeedOrCrLfWhereverTheReadsSplitThem() {
        String text = "GET / HTTP/1.1\r\nHost: krill\r\n\r\nplain\nlast without terminator";
        List<String> expected = List.of("GET / HTTP/1.1", "Host: krill", "", "plain", "last without terminator");
        for (int chunk = 1; chunk <= text.length(); chunk++) {
            assertEquals(expected, allLines(reader(text, chunk, 64)), "chunks of " + chunk + " bytes");
        }
    }

    @Test
    void aLoneCarriageReturnIsPartOfTheLine() {
        assertEquals(List.of("a\rb", "tail\r"), allLines(reader("a\rb\ntail\r", 2, 16)));
    }

    @Test
    void multiByteCharactersSplitAcrossReadsDecodeWhole() {
        assertEquals(List.of("é€ and 🦐", "ok"), allLines(reader("é€ and 🦐\nok\n", 1, 32)));
    }

    @Test
    void aLineThatFillsTheBufferExactlyFitsAndOneByteMoreIsTooLong() {
        assertEquals(List.of("123456", "abc"), allLines(reader("123456\r\nabc\n", 3, 8)));

        LineReader tooLong = reader("1234567\r\nabc\n", 3, 8);
        CompletionException e = assertThrows(CompletionException.class, () -> tooLong.nextLine().join());
        LineTooLongException failure = assertInstanceOf(LineTooLongException.class, e.getCause());
        assertEquals(8, failure.maxLineBytes());
        assertTrue(failure.getMessage().contains("8 bytes"), failure.getMessage());
        assertThrows(IllegalStateException.class, tooLong::nextLine, "no guessing where the next line starts");
    }

    @Test
    void aLastLineWithoutTerminatorMustLeaveOneByteOfTheBufferFree() {
        // Only one more read can tell that the stream ended there, and it needs room for a byte.
        assertEquals(List.of("1234567"), allLines(reader("1234567", 3, 8)));
        LineReader full = reader("12345678", 3, 8);
        CompletionException e = assertThrows(CompletionException.class, () -> full.nextLine().join());
        assertInstanceOf(LineTooLongException.class, e.getCause());
    }

    @Test
    void bytesAfterTheLinesComeOutOfReadBufferedOnesFirst() {
        Scripted source = new Scripted("Content-Length: 9\n\nbody bytes", 64);
        LineReader reader = new LineReader(source, "scripted", arena.allocate(64), StandardCharsets.UTF_8);
        assertEquals("Content-Length: 9", reader.nextLine().join());
        assertEquals("", reader.nextLine().join());
        assertEquals(10, reader.buffered());
        MemorySegment body = arena.allocate(4);
        assertEquals(4, reader.read(body).join());
        assertArrayEquals("body".getBytes(StandardCharsets.US_ASCII), body.toArray(ValueLayout.JAVA_BYTE));
        MemorySegment rest = arena.allocate(32);
        assertEquals(6, reader.read(rest).join());
        assertEquals(-1, reader.read(rest).join());
    }

    @Test
    void aBufferedLineIsReturnedWithoutReadingAgain() {
        Scripted source = new Scripted("one\ntwo\nthree\n", 64);
        LineReader reader = new LineReader(source, "scripted", arena.allocate(64), StandardCharsets.UTF_8);
        assertEquals("one", reader.nextLine().join());
        assertEquals("two", reader.nextLine().join());
        assertEquals("three", reader.nextLine().join());
        assertEquals(1, source.reads, "all three lines came in one read");
    }

    @Test
    void heapOrTinyBuffersAreRefused() {
        Scripted source = new Scripted("", 1);
        assertThrows(IllegalArgumentException.class,
                () -> new LineReader(source, "scripted", MemorySegment.ofArray(new byte[16]), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class,
                () -> new LineReader(source, "scripted", arena.allocate(1), StandardCharsets.UTF_8));
    }

    @Test
    void theSmallestBufferHoldsAOneByteLine() {
        LineReader reader = new LineReader(new Scripted("a\nbc", 1), "scripted", arena.allocate(2), StandardCharsets.UTF_8);
        assertEquals(2, reader.maxLineBytes());
        assertEquals("a", reader.nextLine().join());
        assertInstanceOf(LineTooLongException.class, assertThrows(java.util.concurrent.CompletionException.class,
                () -> reader.nextLine().join()).getCause(), "two bytes and no line feed fill it");
    }
}
