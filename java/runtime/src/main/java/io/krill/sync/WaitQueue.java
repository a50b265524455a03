package io.krill.sync;

/** A FIFO of {@link Waiter}s through their intrusive links; the caller holds the owner's lock. */
final class WaitQueue {

    private Waiter<?> head;
    private Waiter<?> tail;
    private int size;

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    Waiter<?> peek() {
        return head;
    }

    void add(Waiter<?> waiter) {
        waiter.queued = true;
        waiter.queue = this;
        waiter.prev = tail;
        waiter.next = null;
        if (tail == null) {
            head = waiter;
        } else {
            tail.next = waiter;
        }
        tail = waiter;
        size++;
    }

    /** Removes the head and marks it granted. */
    Waiter<?> grantHead() {
        Waiter<?> waiter = head;
        unlink(waiter);
        waiter.granted = true;
        return waiter;
    }

    /** Removes every waiter, marked granted, oldest first; the caller completes them after the lock. */
    java.util.List<Waiter<?>> grantAll() {
        java.util.List<Waiter<?>> granted = new java.util.ArrayList<>(size);
        while (head != null) {
            granted.add(grantHead());
        }
        return granted;
    }

    static void unlink(Waiter<?> waiter) {
        WaitQueue queue = waiter.queue;
        if (waiter.prev != null) {
            waiter.prev.next = waiter.next;
        } else {
            queue.head = waiter.next;
        }
        if (waiter.next != null) {
            waiter.next.prev = waiter.prev;
        } else {
            queue.tail = waiter.prev;
        }
        waiter.prev = null;
        waiter.next = null;
        waiter.queued = false;
        queue.size--;
    }
}
