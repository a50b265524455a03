package io.krill.internal.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Fixed-size off-heap chunks for write backlogs, named by int ids so that an off-heap slot can
 * link them (a chunk list costs the slot three ints, not a Java object).
 *
 * <p>Chunks come from slabs of {@value #CHUNKS_PER_SLAB}; a freed chunk goes back to the free
 * list, and slabs are freed only with the pool ({@link #close()}): the pool keeps its high-water
 * mark. Memory is bounded by the callers: each connection's backlog stops growing at its high
 * watermark (see the handler driver), so the peak is connections-writing times that mark.
 *
 * <p>Single-threaded: one handler driver owns a pool, and its steps are ordered by its task's
 * state word, so plain fields suffice.
 */
public final class ChunkPool implements AutoCloseable {

    /** Bytes per chunk: guess, a quarter of a loopback burst; tune with the echo benchmark. */
    public static final int CHUNK_BYTES = 16 * 1024;
    /** Chunks per slab allocation (256 KiB): guess, amortises allocation without hoarding. */
    static final int CHUNKS_PER_SLAB = 16;
    public static final int NONE = -1;

    private final Arena arena;
    private MemorySegment[] slabs = new MemorySegment[0];
    private int[] next = new int[0];
    private int[] start = new int[0];
    private int[] end = new int[0];
    private int free = NONE;
    private int inUse;

    /**
     * @param arena where slabs are allocated; its owner closes it, which frees every chunk (the
     *        pool does not: a handler driver closes its arena when it completes)
     */
    public ChunkPool(Arena arena) {
        this.arena = arena;
    }

    /** An empty chunk (start = end = 0, no next). */
    public int allocate() {
        if (free == NONE) {
            grow();
        }
        int chunk = free;
        free = next[chunk];
        next[chunk] = NONE;
        start[chunk] = 0;
        end[chunk] = 0;
        inUse++;
        return chunk;
    }

    private void grow() {
        int base = slabs.length * CHUNKS_PER_SLAB;
        slabs = Arrays.copyOf(slabs, slabs.length + 1);
        slabs[slabs.length - 1] = arena.allocate((long) CHUNKS_PER_SLAB * CHUNK_BYTES, 64);
        int capacity = base + CHUNKS_PER_SLAB;
        next = Arrays.copyOf(next, capacity);
        start = Arrays.copyOf(start, capacity);
        end = Arrays.copyOf(end, capacity);
        for (int chunk = capacity - 1; chunk >= base; chunk--) {
            next[chunk] = free;
            free = chunk;
        }
    }

    public void free(int chunk) {
        next[chunk] = free;
        free = chunk;
        inUse--;
    }

    /** Frees {@code first} and every chunk linked after it. */
    public void freeList(int first) {
        for (int chunk = first; chunk != NONE; ) {
            int after = next[chunk];
            free(chunk);
            chunk = after;
        }
    }

    public int next(int chunk) {
        return next[chunk];
    }

    public void link(int chunk, int after) {
        next[chunk] = after;
    }

    /** Bytes written into {@code chunk} and not yet consumed. */
    public int readable(int chunk) {
        return end[chunk] - start[chunk];
    }

    /** Room left at the chunk's end. */
    public int writable(int chunk) {
        return CHUNK_BYTES - end[chunk];
    }

    /** Copies {@code length} bytes (at most {@link #writable}) from {@code src} to the chunk's end. */
    public void append(int chunk, MemorySegment src, long srcOffset, int length) {
        MemorySegment.copy(src, srcOffset, slab(chunk), base(chunk) + end[chunk], length);
        end[chunk] += length;
    }

    /** Copies the first {@code length} unconsumed bytes to {@code dst} (without consuming them). */
    public void copyOut(int chunk, MemorySegment dst, int length) {
        MemorySegment.copy(slab(chunk), base(chunk) + start[chunk], dst, 0, length);
    }

    /** Native address of the chunk's first unconsumed byte. */
    public long readAddress(int chunk) {
        return slab(chunk).address() + base(chunk) + start[chunk];
    }

    /** Marks {@code length} bytes at the front as consumed. */
    public void consume(int chunk, int length) {
        start[chunk] += length;
    }

    private MemorySegment slab(int chunk) {
        return slabs[chunk / CHUNKS_PER_SLAB];
    }

    private static long base(int chunk) {
        return (long) (chunk % CHUNKS_PER_SLAB) * CHUNK_BYTES;
    }

    public int chunksInUse() {
        return inUse;
    }

    /** Off-heap bytes held by the pool's slabs. */
    public long reservedBytes() {
        return (long) slabs.length * CHUNKS_PER_SLAB * CHUNK_BYTES;
    }

    @Override
    public void close() {
        arena.close();
    }
}
