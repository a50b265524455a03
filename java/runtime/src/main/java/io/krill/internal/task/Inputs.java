package io.krill.internal.task;

import io.krill.Task;
import java.util.Collection;

/** Checks the inputs of a combinator: non-null (every task is a Krill task: Task is sealed). */
final class Inputs {

    private Inputs() {}

    @SuppressWarnings("unchecked")
    static <T> AbstractTask<? extends T>[] of(Collection<? extends Task<? extends T>> tasks) {
        AbstractTask<? extends T>[] inputs = (AbstractTask<? extends T>[]) new AbstractTask<?>[tasks.size()];
        int i = 0;
        for (Task<? extends T> task : tasks) {
            inputs[i] = AbstractTask.of(task, "input " + i);
            i++;
        }
        return inputs;
    }
}
