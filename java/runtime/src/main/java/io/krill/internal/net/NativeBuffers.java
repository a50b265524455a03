package io.krill.internal.net;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The one place that checks a caller's buffer before its address goes to the kernel (#13's safe
 * native boundary). C sees a raw address and a length, so nothing below this can tell a freed,
 * read-only or foreign buffer from a good one: a read into freed memory corrupts whatever lives
 * there now, a read into a read-only mapping kills the process. So a buffer is refused, with
 * the reason, unless it is:
 * <ul>
 *   <li>off-heap ({@code Arena}-allocated: a heap array can move under the call);</li>
 *   <li>alive (its arena not closed) — checked again before each system call of an operation
 *       that waited, as the arena may close meanwhile ({@link #isAlive});</li>
 *   <li>writable, when the kernel writes into it (reads);</li>
 *   <li>accessible from this thread, and, for an operation that may wait, from any thread: a
 *       waiting read or write resumes on whichever worker runs it, so a confined segment
 *       ({@code Arena.ofConfined()}) is refused there.</li>
 * </ul>
 * Bounds need no check of their own here: a segment is its own bounds (slices are checked by
 * the JDK), and offsets inside one are checked where they are taken.
 *
 * <p>The window left: a shared arena closed by another thread while the system call runs. An
 * FFM downcall would keep the segment's scope acquired for the call (closing then throws in the
 * closer), but these calls cross by JNI, which sees only the address; the public docs tell the
 * caller not to close an arena under a pending operation. Closing it for good needs the calls to
 * cross by FFM, which the fused-crossing rewrite (#19) weighs against JNI.
 */
public final class NativeBuffers {

    /** Never started: a thread that no confined segment belongs to. */
    private static final Thread ANY_OTHER_THREAD = Thread.ofPlatform().unstarted(() -> {});

    private NativeBuffers() {}

    /**
     * @param kernelWrites true when the kernel writes into the buffer (a read)
     * @param mayWait      true for an operation that may wait and resume on another worker
     * @return how many bytes one system call may take of it (at most 2^31-1)
     * @throws IllegalArgumentException for a heap, read-only (when written) or thread-confined
     *                                  (when it may wait) buffer
     * @throws IllegalStateException    when the buffer's arena is closed
     * @throws WrongThreadException     when the buffer is confined to another thread
     */
    public static int check(MemorySegment buffer, boolean kernelWrites, boolean mayWait, String operation) {
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isNative()) {
            throw new IllegalArgumentException(operation + ": buffer must be off-heap (Arena-allocated), got a heap segment");
        }
        if (!buffer.scope().isAlive()) {
            throw new IllegalStateException(operation + ": the buffer's arena is closed: its memory is gone");
        }
        if (kernelWrites && buffer.isReadOnly()) {
            throw new IllegalArgumentException(operation + ": the buffer is read-only, and the kernel would write into it");
        }
        if (!buffer.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException(operation + ": the buffer is confined to another thread than "
                    + Thread.currentThread().getName());
        }
        if (mayWait && !buffer.isAccessibleBy(ANY_OTHER_THREAD)) {
            throw new IllegalArgumentException(operation + ": the buffer is confined to this thread (Arena.ofConfined()),"
                    + " and a waiting " + operation + " may resume on another worker: allocate it with Arena.ofShared(),"
                    + " Arena.ofAuto() or Arena.global()");
        }
        return (int) Math.min(buffer.byteSize(), Integer.MAX_VALUE);
    }

    /** Before each system call of an operation that waited: false once the arena was closed. */
    static boolean isAlive(MemorySegment buffer) {
        return buffer.scope().isAlive();
    }
}
