package io.krill.internal.reactor.handler;

import java.util.Arrays;

/**
 * A binary min-heap of slot indices keyed by a deadline on the runtime clock, with each index
 * present at most once: the pending checks of one driver's connection timeouts. Primitive
 * arrays only, so that a connection's timer costs no heap object (the GC never traces its
 * entries, and accepting a connection allocates nothing that outlives it once the arrays have
 * grown to the connection count). Deadlines are compared as {@code a - b < 0}, so they may wrap.
 *
 * <p>Sizes: 16 bytes per index up to the highest index ever inserted (its deadline and
 * heap position), 4 per entry of the heap itself. Netty's scheduled tasks sit in a heap of
 * task objects; Tokio's timers are intrusive nodes in a hierarchical wheel. A heap is
 * O(log n) per insert and removal (14 levels at 15,000 connections); the driver inserts on a
 * timeout's set and on a lazy re-check, not per read, so that is rare.
 *
 * <p>Not thread-safe: the driver's thread only.
 */
final class DeadlineHeap {

    /** {@link #peek()} of an empty heap. */
    static final int NONE = -1;

    /** heap[0 .. size): indices, each one's deadline no earlier than its parent's. */
    private int[] heap;
    private int size;
    /** position[index] + 1: where the index sits in heap; 0 when it is absent (so new array cells mean absent). */
    private int[] position;
    /** deadline[index], valid while the index is present. */
    private long[] deadline;

    DeadlineHeap(int initialIndices) {
        int n = Math.max(1, initialIndices);
        heap = new int[n];
        position = new int[n];
        deadline = new long[n];
    }

    int size() {
        return size;
    }

    boolean contains(int index) {
        return index < position.length && position[index] != 0;
    }

    /** The index of the earliest deadline, or {@link #NONE}. */
    int peek() {
        return size == 0 ? NONE : heap[0];
    }

    /** The deadline of a present index. */
    long deadlineOf(int index) {
        if (!contains(index)) {
            throw new IllegalArgumentException("index " + index + " is not in the heap");
        }
        return deadline[index];
    }

    /** Inserts {@code index} with {@code at}, or moves it there when present. */
    void set(int index, long at) {
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, got " + index);
        }
        if (index >= position.length) {
            int grown = Math.max(position.length * 2, index + 1);
            position = Arrays.copyOf(position, grown);
            deadline = Arrays.copyOf(deadline, grown);
        }
        int at0 = position[index] - 1;
        if (at0 < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            deadline[index] = at;
            place(size++, index);
            siftUp(size - 1);
            return;
        }
        long before = deadline[index];
        deadline[index] = at;
        if (at - before < 0) {
            siftUp(at0);
        } else {
            siftDown(at0);
        }
    }

    /** Removes {@code index} if present; true when it was. */
    boolean remove(int index) {
        if (!contains(index)) {
            return false;
        }
        int at = position[index] - 1;
        position[index] = 0;
        int last = heap[--size];
        if (at != size) {
            place(at, last);
            siftDown(at);
            siftUp(position[last] - 1);
        }
        return true;
    }

    private void place(int at, int index) {
        heap[at] = index;
        position[index] = at + 1;
    }

    private void siftUp(int at) {
        int index = heap[at];
        long key = deadline[index];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            int above = heap[parent];
            if (key - deadline[above] >= 0) {
                break;
            }
            place(at, above);
            at = parent;
        }
        place(at, index);
    }

    private void siftDown(int at) {
        int index = heap[at];
        long key = deadline[index];
        int half = size >>> 1; // nodes below this have a child
        while (at < half) {
            int child = 2 * at + 1;
            int right = child + 1;
            if (right < size && deadline[heap[right]] - deadline[heap[child]] < 0) {
                child = right;
            }
            if (deadline[heap[child]] - key >= 0) {
                break;
            }
            place(at, heap[child]);
            at = child;
        }
        place(at, index);
    }
}
