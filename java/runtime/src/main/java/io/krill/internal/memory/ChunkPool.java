package io.krill.internal.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Fixed-size off-heap chunks for write backlogs, named by int ids so that an off-heap slot can
 * link them (a chunk list costs the slot three ints, not a Java object).
 *
 * <p>Chunks come from slabs of {@value #CHUNKS_PER_SLAB}, each slab its own arena; a freed chunk
 * goes back to the free list, and once more than {@value #KEEP_FREE_SLABS} slabs are wholly free
 * the one that just emptied goes back to the system (its arena is closed), so a burst of slow
 * readers does not leave its peak reserved for the pool's life. Its index is reused by the next
 * slab, so chunk ids stay small. Memory is bounded by the callers: each connection's backlog
 * stops growing at its high watermark (see the handler driver), so the peak is
 * connections-writing times that mark.
 *
 * <p>Single-threaded: one handler driver owns a pool, and its steps are ordered by its task's
 * state word, so plain fields suffice.
 */
public final class ChunkPool implements AutoCloseable {

    /** Bytes per chunk: guess, a quarter of a loopback burst; tune with the echo benchmark. */
    public static final int CHUNK_BYTES = 16 * 1024;
    /** Chunks per slab allocation (256 KiB): guess, amortises allocation without hoarding. */
    static final int CHUNKS_PER_SLAB = 16;
    /**
     * Wholly free slabs kept for the next burst (1 MiB): guess, enough that a few connections
     * backing up and draining do not close and open arenas on every cycle (closing a shared
     * arena is a handshake with every thread).
     */
    static final int KEEP_FREE_SLABS = 4;
    public static final int NONE = -1;

    private Arena[] arenas = new Arena[0];       // null where a slab was given back
    private MemorySegment[] slabs = new MemorySegment[0];
    private int[] slabUsed = new int[0];         // chunks in use per slab
    private int freeSlabs;                       // live slabs with no chunk in use
    private int[] next = new int[0];
    private int[] start = new int[0];
    private int[] end = new int[0];
    private int free = NONE;
    private int inUse;

    /** An empty pool; {@link #close()} frees every slab still held. */
    public ChunkPool() {}

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
        int slab = chunk / CHUNKS_PER_SLAB;
        if (slabUsed[slab]++ == 0) {
            freeSlabs--;
        }
        return chunk;
    }

    /** A new slab, in the first index a released one left, else at the end. */
    private void grow() {
        int slab = 0;
        while (slab < slabs.length && slabs[slab] != null) {
            slab++;
        }
        if (slab == slabs.length) {
            int capacity = (slab + 1) * CHUNKS_PER_SLAB;
            arenas = Arrays.copyOf(arenas, slab + 1);
            slabs = Arrays.copyOf(slabs, slab + 1);
            slabUsed = Arrays.copyOf(slabUsed, slab + 1);
            next = Arrays.copyOf(next, capacity);
            start = Arrays.copyOf(start, capacity);
            end = Arrays.copyOf(end, capacity);
        }
        Arena arena = Arena.ofShared(); // the driver's steps may run on any worker
        arenas[slab] = arena;
        slabs[slab] = arena.allocate((long) CHUNKS_PER_SLAB * CHUNK_BYTES, 64);
        slabUsed[slab] = 0;
        freeSlabs++;
        int base = slab * CHUNKS_PER_SLAB;
        for (int chunk = base + CHUNKS_PER_SLAB - 1; chunk >= base; chunk--) {
            next[chunk] = free;
            free = chunk;
        }
    }

    public void free(int chunk) {
        next[chunk] = free;
        free = chunk;
        inUse--;
        int slab = chunk / CHUNKS_PER_SLAB;
        if (--slabUsed[slab] == 0 && ++freeSlabs > KEEP_FREE_SLABS) {
            release(slab);
        }
    }

    /** Gives a wholly free slab back: its chunks leave the free list, its arena is closed. */
    private void release(int slab) {
        int previous = NONE;
        for (int chunk = free; chunk != NONE; ) {
            int after = next[chunk];
            if (chunk / CHUNKS_PER_SLAB == slab) {
                if (previous == NONE) {
                    free = after;
                } else {
                    next[previous] = after;
                }
            } else {
                previous = chunk;
            }
            chunk = after;
        }
        arenas[slab].close();
        arenas[slab] = null;
        slabs[slab] = null;
        freeSlabs--;
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
        long held = 0;
        for (MemorySegment slab : slabs) {
            if (slab != null) {
                held += slab.byteSize();
            }
        }
        return held;
    }

    /** Frees every slab; no chunk may be used after. Idempotent. */
    @Override
    public void close() {
        for (int slab = 0; slab < arenas.length; slab++) {
            if (arenas[slab] != null) {
                arenas[slab].close();
                arenas[slab] = null;
                slabs[slab] = null;
            }
        }
        free = NONE;
    }
}
