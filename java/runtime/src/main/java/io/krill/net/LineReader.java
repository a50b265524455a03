package io.krill.net;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.AwaitLoop;
import io.krill.internal.task.HandBack;
import io.krill.internal.net.NativeBuffers;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * Reads a stream line by line through a buffer (Tokio's {@code BufReader::lines}); made by
 * {@link TcpStream#lines()} or {@link ReadHalf#lines()}.
 *
 * <p>A line ends with {@code \n} or {@code \r\n}; the terminator is not part of it. At end of
 * stream a last line without a terminator is returned as it is, and then {@code null}. Bytes are
 * decoded with the reader's charset (UTF-8 by default; malformed input becomes U+FFFD). A line
 * longer than the buffer (terminator included) fails with {@link LineTooLongException}, after
 * which the reader refuses further use: it cannot tell where the next line starts. A last line
 * without a terminator must be shorter than the buffer: only one more read, which needs a free
 * byte, can tell that the stream ends there.
 *
 * <p>The reader takes more bytes from the stream than the lines it has returned (that is what
 * the buffer is for): after the last line, read what follows (an HTTP body, say) through
 * {@link #read(MemorySegment)}, which hands out the buffered bytes first.
 *
 * <p>One task at a time uses a reader, as with the stream's reads; it does not own the stream:
 * closing the stream is the caller's job.
 */
public final class LineReader {

    /** Default limit on a line with its terminator (guess: the usual HTTP header-line cap, as nginx's 8k). */
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024;

    /** Where the bytes come from: a stream's {@code read}. */
    @FunctionalInterface
    interface Source {
        /** Bytes read into {@code buffer}, waiting for some, or -1 at end of stream. */
        Task<Integer> read(MemorySegment buffer);
    }

    private final Source source;
    private final String name;
    private final MemorySegment buffer;
    private final int capacityBytes;
    private final Charset charset;

    // Plain fields: one task at a time uses the reader, and a continuation that goes on with it
    // on another worker was handed over through a task completion (release/acquire), which
    // orders these writes before its reads.
    /** First byte not yet returned. */
    private int start;
    /** One past the last buffered byte. */
    private int end;
    /** Bytes below this offset (from start) are known to hold no line feed. */
    private int scanned;
    private boolean endOfStream;
    private LineTooLongException failure;

    LineReader(Source source, String name, MemorySegment buffer, Charset charset) {
        this.source = Objects.requireNonNull(source, "source");
        this.name = name;
        this.charset = Objects.requireNonNull(charset, "charset");
        NativeBuffers.check(buffer, true, true, "lines"); // the reads fill it, and may wait
        if (buffer.byteSize() < 2 || buffer.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("line buffer must hold 2 to 2^31-1 bytes, got " + buffer.byteSize());
        }
        this.buffer = buffer;
        this.capacityBytes = (int) buffer.byteSize();
    }

    /** The limit on a line, terminator included: the buffer's size. */
    public int maxLineBytes() {
        return capacityBytes;
    }

    /** Bytes read from the stream and not handed out yet. */
    public int buffered() {
        return end - start;
    }

    /**
     * The next line without its terminator, waiting for it; {@code null} at end of stream.
     *
     * <p>Cancel-safe (as Tokio's {@code next_line}): the bytes it has read stay in the reader,
     * so the next {@code nextLine()} goes on from them (a cancel during a read's system call
     * waits for it, and keeps what it read); a line it completed that nobody took (it lost a
     * race, its continuation was cancelled) goes back into the reader, and the next
     * {@code nextLine()} returns it again.
     *
     * @return a task failing with {@link LineTooLongException} for a line longer than
     *         {@link #maxLineBytes()}, or with the stream's errors
     * @throws IllegalStateException after a {@link LineTooLongException}, or when the stream is closed
     */
    public Task<String> nextLine() {
        if (failure != null) {
            throw new IllegalStateException("nextLine(" + name + "): this reader failed earlier: " + failure.getMessage());
        }
        Task<String> now = lineNow();
        return now != null ? now : new Reading().start(source.read(buffer.asSlice(end)));
    }

    /**
     * Reads until a line is complete, as one task however many reads it takes (a line dripped
     * in one byte at a time costs one task, not one per byte).
     */
    private final class Reading extends AwaitLoop<String> {
        @Override
        protected Task<?> next(Task<?> finished) {
            Throwable error = finished.failureNow();
            if (error != null) {
                fail(error);
                return null;
            }
            int n = (Integer) finished.resultNow();
            if (n < 0) {
                endOfStream = true;
            } else {
                end += n;
            }
            Task<String> line = lineNow();
            if (line != null) {
                this.line = line;
                finishAs(line);
                return null;
            }
            return source.read(buffer.asSlice(end));
        }

        private Task<String> line; // written before the completion that publishes it

        /** The line, taken by nobody: back into the reader (see {@link Taken}). */
        @Override
        protected void handBack(String value) {
            HandBack.handBack(AbstractTask.of(line, "the line"));
        }
    }

    /**
     * Bytes taken from the buffer (a line, or bytes copied out by {@link #read}): born completed;
     * if nobody takes the value (the {@code nextLine} or {@code read} lost a race, its
     * continuation was cancelled), the bytes go back into the reader, so the next call returns
     * them again. Guarded by its {@code to}: only while nothing after them was taken. They are
     * scanned again, as they may hold a line feed.
     */
    private final class Taken<V> extends AbstractTask<V> {
        private final int from;
        private final int to;

        Taken(V value, int from, int to) {
            super(value);
            this.from = from;
            this.to = to;
        }

        @Override
        protected void handBack(V value) {
            if (start == to) {
                start = from;
                scanned = from;
            }
        }
    }

    /** The next line, end of stream or the too-long failure if the buffer can tell now; else null (read more). */
    private Task<String> lineNow() {
        for (int i = scanned; i < end; i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                String line = decode(start, i, true);
                int from = start;
                start = i + 1;
                scanned = start;
                return new Taken<>(line, from, start);
            }
        }
        scanned = end;
        if (endOfStream) {
            if (start == end) {
                return Task.completed(null);
            }
            String last = decode(start, end, false);
            int from = start;
            start = end;
            return new Taken<>(last, from, end);
        }
        if (start > 0) { // keep the partial line at the front, making room behind it
            MemorySegment.copy(buffer, start, buffer, 0, end - start);
            end -= start;
            scanned -= start;
            start = 0;
        }
        if (end == capacityBytes) {
            failure = new LineTooLongException("nextLine(" + name + "): no line feed within " + capacityBytes
                    + " bytes: the line is longer than this reader's limit (maxLineBytes)", capacityBytes);
            return Task.failed(failure);
        }
        return null;
    }

    /**
     * Reads into {@code destination}: buffered bytes first, then from the stream; -1 at end of
     * stream. For what follows the lines.
     *
     * <p>Cancel-safe: buffered bytes it took that nobody took from it (it lost a race, its
     * continuation was cancelled) go back into the reader for the next read or line; a read
     * from the stream gives its bytes back to the stream (see {@link TcpStream#read}).
     */
    public Task<Integer> read(MemorySegment destination) {
        int held = end - start;
        if (held > 0) {
            int n = (int) Math.min(held, destination.byteSize());
            MemorySegment.copy(buffer, start, destination, 0, n);
            int from = start;
            start += n;
            scanned = Math.max(scanned, start);
            return new Taken<>(n, from, start);
        }
        return endOfStream ? Task.completed(-1) : source.read(destination);
    }

    /** The bytes [from, to) as a string, less the '\r' of a "\r\n" when {@code beforeLineFeed}. */
    private String decode(int from, int to, boolean beforeLineFeed) {
        if (beforeLineFeed && to > from && buffer.get(ValueLayout.JAVA_BYTE, to - 1) == '\r') {
            to--;
        }
        return new String(buffer.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE), charset);
    }

    @Override
    public String toString() {
        return "LineReader[" + name + ", " + buffered() + " bytes buffered]";
    }
}
