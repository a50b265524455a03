package io.krill.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.RingNative;
import io.krill.internal.ring.EventRecordDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpscRingTest {

    @Test
    void wrapsAndRefusesWhenFull() {
        try (Arena arena = Arena.ofShared()) {
            SpscRing ring = SpscRing.allocate(arena, 4);
            List<Long> seen = new ArrayList<>();
            long next = 0;
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 3; i++) {
                    assertTrue(ring.offer(next++, 1, 0));
                }
                assertEquals(3, ring.drain((token, readiness, result) -> seen.add(token), 10));
            }
            for (int i = 0; i < 300; i++) {
                assertEquals(i, seen.get(i));
            }
            for (int i = 0; i < 4; i++) {
                assertTrue(ring.offer(i, 0, 0));
            }
            assertFalse(ring.offer(4, 0, 0), "full at capacity");
            assertEquals(4, ring.size());
            assertEquals(2, ring.drain((t, r, x) -> { }, 2));
            assertTrue(ring.offer(4, 0, 0));
        }
    }

    @Test
    void aThrowingHandlerConsumesItsRecordAndTheRingGoesOn() {
        try (Arena arena = Arena.ofShared()) {
            SpscRing ring = SpscRing.allocate(arena, 4);
            ring.offer(1, 0, 0);
            ring.offer(2, 0, 0);
            ring.offer(3, 0, 0);
            List<Long> seen = new ArrayList<>();
            assertThrows(IllegalStateException.class, () -> ring.drain((token, r, x) -> {
                seen.add(token);
                if (token == 2) {
                    throw new IllegalStateException("handler failed");
                }
            }, 10));
            assertEquals(1, ring.size(), "records 1 and 2 consumed, 3 left");
            ring.drain((token, r, x) -> seen.add(token), 10);
            assertEquals(List.of(1L, 2L, 3L), seen);
        }
    }

    @Test
    void javaAndCShareTheLayoutBothWays() {
        NativeLibrary.load();
        try (Arena arena = Arena.ofShared()) {
            SpscRing ring = SpscRing.allocate(arena, 4);
            MemorySegment buffer = arena.allocate(EventRecordDescriptor.SIZE_BYTES * 8L, 8);
            assertTrue(ring.offer(0xABCD_0000_0001L, 0x11, -4));
            assertTrue(ring.offer(0xABCD_0000_0002L, 0x02, 0));
            assertEquals(2, RingNative.poll(ring.address(), buffer.address(), 8), "C reads what Java wrote");
            assertEquals(0xABCD_0000_0001L, EventRecordDescriptor.token(buffer, 0));
            assertEquals(0x11, EventRecordDescriptor.readiness(buffer, 0));
            assertEquals(-4, EventRecordDescriptor.result(buffer, 0));
            assertEquals(0xABCD_0000_0002L, EventRecordDescriptor.token(buffer, 1));
            assertEquals(0, ring.size());

            // and back: C writes 6 into a ring of 4 (4 fit), Java reads them in order
            for (int i = 0; i < 6; i++) {
                buffer.set(java.lang.foreign.ValueLayout.JAVA_LONG, (long) i * EventRecordDescriptor.SIZE_BYTES, 100 + i);
            }
            assertEquals(4, RingNative.offer(ring.address(), buffer.address(), 6));
            List<Long> seen = new ArrayList<>();
            ring.drain((token, r, x) -> seen.add(token), 10);
            assertEquals(List.of(100L, 101L, 102L, 103L), seen);
        }
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        try (Arena arena = Arena.ofShared()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpscRing.allocate(arena, 6));
            assertEquals("ring capacity must be a power of two >= 2, got 6", e.getMessage());
        }
    }
}
