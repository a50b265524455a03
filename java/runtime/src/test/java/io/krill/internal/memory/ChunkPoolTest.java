package io.krill.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkPoolTest {

    @Test
    void slabsBeyondTheKeptFewGoBackToTheSystemWhenTheyEmptyAndTheirIdsAreReused() {
        try (ChunkPool pool = new ChunkPool()) {
            int slabs = ChunkPool.KEEP_FREE_SLABS + 6;
            long slabBytes = (long) ChunkPool.CHUNKS_PER_SLAB * ChunkPool.CHUNK_BYTES;
            int[] chunks = new int[slabs * ChunkPool.CHUNKS_PER_SLAB];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = pool.allocate();
            }
            assertEquals(slabs * slabBytes, pool.reservedBytes());
            int highest = Arrays.stream(chunks).max().orElseThrow();
            for (int chunk : chunks) {
                pool.free(chunk);
            }
            assertEquals(0, pool.chunksInUse());
            assertEquals(ChunkPool.KEEP_FREE_SLABS * slabBytes, pool.reservedBytes(),
                    "a drained burst keeps " + ChunkPool.KEEP_FREE_SLABS + " free slabs, not its peak");
            // The next burst reuses the kept slabs, then the released slabs' ids: no id grows past the old peak.
            Set<Long> addresses = new HashSet<>();
            for (int i = 0; i < chunks.length; i++) {
                int chunk = pool.allocate();
                assertTrue(chunk <= highest, "chunk id " + chunk + " above the earlier peak " + highest);
                assertTrue(addresses.add(pool.readAddress(chunk)), "chunk " + chunk + " overlaps another");
                pool.append(chunk, MemorySegment.ofArray(new byte[] {(byte) i}), 0, 1); // writable memory, not a closed slab
                chunks[i] = chunk;
            }
            assertEquals(slabs * slabBytes, pool.reservedBytes());
        }
    }

    @Test
    void chunksAreDistinctAcrossSlabsAndReusedAfterFree() {
        try (ChunkPool pool = new ChunkPool()) {
            Set<Long> addresses = new HashSet<>();
            int[] chunks = new int[ChunkPool.CHUNKS_PER_SLAB * 3 + 1];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = pool.allocate();
                assertTrue(addresses.add(pool.readAddress(chunks[i])), "chunk " + i + " overlaps another");
            }
            assertEquals(chunks.length, pool.chunksInUse());
            assertEquals(4L * ChunkPool.CHUNKS_PER_SLAB * ChunkPool.CHUNK_BYTES, pool.reservedBytes());
            pool.free(chunks[5]);
            assertEquals(chunks[5], pool.allocate(), "a freed chunk is handed out again");
            assertEquals(4L * ChunkPool.CHUNKS_PER_SLAB * ChunkPool.CHUNK_BYTES, pool.reservedBytes(), "no new slab");
        }
    }

    @Test
    void bytesAppendedComeOutInOrderAndAChainFreesWhole() {
        try (ChunkPool pool = new ChunkPool(); Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(100);
            for (int i = 0; i < 100; i++) {
                data.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            int first = pool.allocate();
            assertEquals(ChunkPool.CHUNK_BYTES, pool.writable(first));
            pool.append(first, data, 0, 60);
            pool.append(first, data, 60, 40);
            assertEquals(100, pool.readable(first));
            pool.consume(first, 30);
            assertEquals(70, pool.readable(first));
            MemorySegment out = arena.allocate(70);
            pool.copyOut(first, out, 70);
            for (int i = 0; i < 70; i++) {
                assertEquals((byte) (30 + i), out.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
            int second = pool.allocate();
            pool.link(first, second);
            assertEquals(second, pool.next(first));
            assertEquals(ChunkPool.NONE, pool.next(second));
            pool.freeList(first);
            assertEquals(0, pool.chunksInUse());
            int again = pool.allocate();
            assertEquals(0, pool.readable(again), "a reused chunk starts empty");
            assertNotEquals(ChunkPool.NONE, again);
        }
    }
}
