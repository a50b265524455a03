package io.krill.internal.executor;

import io.krill.internal.task.ScheduledTask;

/**
 * The shared FIFO of work from outside the workers and of local-queue overflow: an intrusive
 * list through {@link ScheduledTask#nextInjected()} under this object's lock, so a push allocates
 * nothing. {@code size} is volatile so that empty checks skip the lock.
 */
final class InjectQueue {

    private ScheduledTask<?> head; // guarded by this
    private ScheduledTask<?> tail; // guarded by this
    private volatile int size;     // written under the lock, read without it

    synchronized void push(ScheduledTask<?> task) {
        linkLast(task);
        size = size + 1;
    }

    /** Moves {@code count} tasks out of a local queue's buffer, then {@code last}, in one lock. */
    synchronized void pushBatch(ScheduledTask<?>[] buffer, int first, int count, int mask, ScheduledTask<?> last) {
        for (int i = 0; i < count; i++) {
            int index = (first + i) & mask;
            ScheduledTask<?> task = buffer[index];
            buffer[index] = null;
            linkLast(task);
        }
        linkLast(last);
        size = size + count + 1;
    }

    private void linkLast(ScheduledTask<?> task) {
        task.nextInjected(null);
        if (tail == null) {
            head = task;
        } else {
            tail.nextInjected(task);
        }
        tail = task;
    }

    ScheduledTask<?> pop() {
        if (size == 0) {
            return null;
        }
        synchronized (this) {
            ScheduledTask<?> task = head;
            if (task == null) {
                return null;
            }
            head = task.nextInjected();
            if (head == null) {
                tail = null;
            }
            task.nextInjected(null);
            size = size - 1;
            return task;
        }
    }

    /**
     * Takes up to {@code count} tasks: the first is returned, the rest are pushed into
     * {@code local} (the caller's own queue, which must have room for them).
     */
    ScheduledTask<?> popInto(LocalQueue local, int count) {
        if (size == 0) {
            return null;
        }
        ScheduledTask<?> first;
        ScheduledTask<?> rest;
        int taken;
        synchronized (this) {
            first = head;
            if (first == null) {
                return null;
            }
            ScheduledTask<?> last = first;
            taken = 1;
            while (taken < count && last.nextInjected() != null) {
                last = last.nextInjected();
                taken++;
            }
            head = last.nextInjected();
            if (head == null) {
                tail = null;
            }
            last.nextInjected(null);
            size = size - taken;
            rest = first.nextInjected();
            first.nextInjected(null);
        }
        while (rest != null) { // outside the lock: the local queue is ours alone
            ScheduledTask<?> next = rest.nextInjected();
            rest.nextInjected(null);
            local.pushBack(rest, this);
            rest = next;
        }
        return first;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }
}
