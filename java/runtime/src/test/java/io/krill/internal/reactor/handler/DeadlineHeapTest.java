package io.krill.internal.reactor.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The timeouts' heap against a plain map, from a capacity of 1 so that every array grows. */
class DeadlineHeapTest {

    @Test
    void peekIsAlwaysTheEarliestAcrossInsertsMovesAndRemovals() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            DeadlineHeap heap = new DeadlineHeap(1);
            Map<Integer, Long> reference = new HashMap<>();
            long base = random.nextBoolean() ? Long.MAX_VALUE - 5_000 : 0; // some runs wrap past Long.MAX_VALUE
            for (int op = 0; op < 5_000; op++) {
                int index = random.nextInt(64);
                int what = random.nextInt(10);
                if (what < 5) {
                    long at = base + random.nextInt(10_000);
                    heap.set(index, at);
                    reference.put(index, at);
                } else if (what < 8) {
                    assertEquals(reference.remove(index) != null, heap.remove(index), "remove " + index);
                } else if (!reference.isEmpty()) { // take the earliest, as the driver's checks do
                    int first = heap.peek();
                    heap.remove(first);
                    reference.remove(first);
                }
                assertEquals(reference.size(), heap.size());
                if (reference.isEmpty()) {
                    assertEquals(DeadlineHeap.NONE, heap.peek());
                } else {
                    long earliest = reference.values().stream().min(Comparator.comparingLong(at -> at - base)).orElseThrow();
                    assertEquals(earliest, heap.deadlineOf(heap.peek()), "seed " + seed + " op " + op);
                    assertEquals(reference.get(heap.peek()), heap.deadlineOf(heap.peek()));
                }
                for (int i = 0; i < 64; i++) {
                    assertEquals(reference.containsKey(i), heap.contains(i));
                }
            }
        }
    }

    @Test
    void eachIndexIsPresentOnceAndIndicesFarApartGrowTheArrays() {
        DeadlineHeap heap = new DeadlineHeap(1);
        heap.set(100_000, 30);
        heap.set(7, 20);
        heap.set(100_000, 10); // moved, not added
        assertEquals(2, heap.size());
        assertEquals(100_000, heap.peek());
        heap.set(100_000, 40); // moved later
        assertEquals(7, heap.peek());
        assertTrue(heap.remove(7));
        assertFalse(heap.remove(7));
        assertEquals(100_000, heap.peek());
        assertTrue(heap.remove(100_000));
        assertEquals(DeadlineHeap.NONE, heap.peek());
        assertFalse(heap.contains(5_000_000), "an index beyond the arrays is absent");
        assertThrows(IllegalArgumentException.class, () -> heap.deadlineOf(7));
        assertThrows(IllegalArgumentException.class, () -> heap.set(-1, 0));
    }
}
