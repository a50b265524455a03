package io.krill.internal.executor;

import io.krill.internal.task.ScheduledTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: the local queue (capacity 4) is linearizable against a FIFO whose steal takes the
 * older half, rounded up. Owner operations form one non-parallel group; two thieves steal into
 * queues of their own. Scenarios hold at most 4 owner pushes, so the queue never overflows:
 * overflow (the inject queue) is covered by {@link LocalQueueTest} and the stress test.
 * Iterations are few so that the default test run stays short (Lincheck is slow here).
 */
public class LocalQueueLincheckTest {

    private final LocalQueue queue = new LocalQueue(4);
    private final InjectQueue inject = new InjectQueue();
    private int nextId; // owner group only

    @Operation(nonParallelGroup = "owner")
    public void push() {
        queue.pushBack(new LocalQueueTest.Marker(nextId++), inject);
    }

    @Operation(nonParallelGroup = "owner")
    public int pop() {
        ScheduledTask<?> task = queue.pop();
        return task == null ? -1 : ((LocalQueueTest.Marker) task).id;
    }

    /**
     * Steals into a fresh queue and reports what came out, in queue order. A steal backs off
     * while another is in flight (as Tokio's does: the worker tries other victims and comes
     * back), so a lone attempt may come back empty from a non-empty queue; the operation retries
     * until it gets tasks or finds the queue empty, which is the guarantee the scheduler needs.
     */
    @Operation
    public List<Integer> steal() {
        LocalQueue mine = new LocalQueue(4);
        ScheduledTask<?> last = queue.stealInto(mine);
        while (last == null && queue.size() > 0) {
            Thread.onSpinWait();
            last = queue.stealInto(mine);
        }
        List<Integer> ids = new ArrayList<>();
        for (ScheduledTask<?> kept = mine.pop(); kept != null; kept = mine.pop()) {
            ids.add(((LocalQueueTest.Marker) kept).id);
        }
        if (last != null) {
            ids.add(((LocalQueueTest.Marker) last).id);
        }
        return ids;
    }

    /** The sequential specification. */
    public static class Spec {
        private final ArrayDeque<Integer> items = new ArrayDeque<>();
        private int nextId;

        public void push() {
            items.addLast(nextId++);
        }

        public int pop() {
            Integer id = items.pollFirst();
            return id == null ? -1 : id;
        }

        public List<Integer> steal() {
            int n = items.size() - items.size() / 2;
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(items.pollFirst());
            }
            return ids;
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(30)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsBefore(2)
                .actorsPerThread(2)
                .actorsAfter(0)
                .sequentialSpecification(Spec.class)
                .check(LocalQueueLincheckTest.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(30)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsBefore(2)
                .actorsPerThread(2)
                .actorsAfter(0)
                .sequentialSpecification(Spec.class)
                .check(LocalQueueLincheckTest.class);
    }
}
