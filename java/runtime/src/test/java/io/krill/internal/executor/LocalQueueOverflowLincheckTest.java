package io.krill.internal.executor;

import io.krill.LincheckScenarios;
import io.krill.internal.task.ScheduledTask;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: a local queue of capacity 2 that overflows into the inject queue while thieves
 * steal and the owner pops, checked for what a scheduler needs of it: every task pushed is
 * taken exactly once (popped, stolen or found in the inject queue), never lost to an overflow
 * racing a steal, never taken twice.
 *
 * <p>Not against a FIFO: where a pushed task lands depends on whether a steal is in flight (a
 * full queue then sends only the new task to the inject queue, without waiting for the thief),
 * which no sequential order can say. So the operations collect what they take, and a
 * validation after each run drains what is left and checks the whole.
 */
public class LocalQueueOverflowLincheckTest {

    private final LocalQueue queue = new LocalQueue(2);
    private final InjectQueue inject = new InjectQueue();
    private final java.util.concurrent.ConcurrentLinkedQueue<Integer> taken = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private int nextId; // owner group only

    private void take(ScheduledTask<?> task) {
        if (task != null) {
            taken.add(((LocalQueueTest.Marker) task).id);
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void push() {
        queue.pushBack(new LocalQueueTest.Marker(nextId++), inject);
    }

    @Operation(nonParallelGroup = "owner")
    public void pop() {
        take(queue.pop());
    }

    @Operation
    public void steal() {
        LocalQueue mine = new LocalQueue(2);
        take(queue.stealInto(mine));
        for (ScheduledTask<?> kept = mine.pop(); kept != null; kept = mine.pop()) {
            take(kept);
        }
    }

    @Operation
    public void popInject() {
        take(inject.pop());
    }

    /**
     * After each run (Lincheck's validation): every task ever pushed, taken, still local or in
     * the inject queue, exactly once.
     */
    @Validate
    public void everyTaskTakenExactlyOnce() {
        for (ScheduledTask<?> task = queue.pop(); task != null; task = queue.pop()) {
            take(task);
        }
        for (ScheduledTask<?> task = inject.pop(); task != null; task = inject.pop()) {
            take(task);
        }
        List<Integer> all = new ArrayList<>(taken);
        all.sort(null);
        List<Integer> expected = new ArrayList<>();
        for (int id = 0; id < nextId; id++) {
            expected.add(id);
        }
        if (!all.equals(expected)) {
            throw new AssertionError("tasks pushed " + expected + ", taken " + all + ": one was lost or taken twice");
        }
    }

    /** Every operation returns nothing: what is checked is the validation after the run. */
    public static class Spec {
        public void push() {}

        public void pop() {}

        public void steal() {}

        public void popInject() {}
    }

    @Test
    void everyTaskIsTakenExactlyOnceThroughOverflowAndSteals() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsBefore(3) // fills the queue of 2, so that the parallel pushes overflow
                .actorsPerThread(3)
                .actorsAfter(0)
                // the queue full, the owner overflows twice while a thief steals and another takes from the inject queue
                .addCustomScenario(LincheckScenarios.scenario(LocalQueueOverflowLincheckTest.class,
                        new String[] {"push", "push"},
                        new String[][] {{"push", "push", "pop"}, {"steal", "popInject"}, {"popInject", "steal"}},
                        LincheckScenarios.NONE))
                .sequentialSpecification(Spec.class)
                .check(LocalQueueOverflowLincheckTest.class);
    }
}
