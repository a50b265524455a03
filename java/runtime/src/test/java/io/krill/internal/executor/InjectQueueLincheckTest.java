package io.krill.internal.executor;

import io.krill.internal.task.ScheduledTask;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: the inject queue is a linearizable FIFO for any number of pushers and poppers,
 * including a local queue's overflow batch ({@code pushBatch}: the older half of a full queue,
 * then the task that did not fit) and a worker's batch take ({@code popInto}: the oldest
 * returned, the next ones into its own queue, in order).
 */
public class InjectQueueLincheckTest {

    private final InjectQueue queue = new InjectQueue();

    @Operation
    public void pushOne() {
        queue.push(new LocalQueueTest.Marker(1));
    }

    @Operation
    public void pushTwo() {
        queue.push(new LocalQueueTest.Marker(2));
    }

    @Operation
    public int pop() {
        ScheduledTask<?> task = queue.pop();
        return task == null ? -1 : ((LocalQueueTest.Marker) task).id;
    }

    /** A full local queue of capacity 4 (its older half at slots 3 and 0: the batch wraps) overflows with a third task. */
    @Operation
    public void pushBatch() {
        ScheduledTask<?>[] buffer = new ScheduledTask<?>[4];
        buffer[3] = new LocalQueueTest.Marker(3);
        buffer[0] = new LocalQueueTest.Marker(4);
        queue.pushBatch(buffer, 3, 2, 3, new LocalQueueTest.Marker(5));
    }

    /** Takes up to three: what came out, in order (the returned task first, then the local queue's). */
    @Operation
    public java.util.List<Integer> popIntoThree() {
        LocalQueue mine = new LocalQueue(4);
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        ScheduledTask<?> first = queue.popInto(mine, 3);
        if (first != null) {
            ids.add(((LocalQueueTest.Marker) first).id);
        }
        for (ScheduledTask<?> next = mine.pop(); next != null; next = mine.pop()) {
            ids.add(((LocalQueueTest.Marker) next).id);
        }
        return ids;
    }

    @Operation
    public int size() {
        return queue.size();
    }

    /** The sequential specification. */
    public static class Spec {
        private final ArrayDeque<Integer> items = new ArrayDeque<>();

        public void pushOne() {
            items.addLast(1);
        }

        public void pushTwo() {
            items.addLast(2);
        }

        public int pop() {
            Integer id = items.pollFirst();
            return id == null ? -1 : id;
        }

        public void pushBatch() {
            items.addLast(3);
            items.addLast(4);
            items.addLast(5);
        }

        public java.util.List<Integer> popIntoThree() {
            java.util.List<Integer> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 3 && !items.isEmpty(); i++) {
                ids.add(items.pollFirst());
            }
            return ids;
        }

        public int size() {
            return items.size();
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(2)
                .sequentialSpecification(Spec.class)
                .check(InjectQueueLincheckTest.class);
    }
}
