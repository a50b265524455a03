package io.krill.internal.executor;

import io.krill.internal.task.ScheduledTask;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/** Lincheck: the inject queue is a linearizable FIFO for any number of pushers and poppers. */
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
