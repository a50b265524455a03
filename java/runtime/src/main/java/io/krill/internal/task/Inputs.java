package io.krill.internal.task;

import io.krill.Task;
import java.util.Collection;

/** Checks the inputs of a combinator: non-null Krill tasks. */
final class Inputs {

    private Inputs() {}

    @SuppressWarnings("unchecked")
    static <T> AbstractTask<? extends T>[] of(Collection<? extends Task<? extends T>> tasks) {
        AbstractTask<? extends T>[] inputs = (AbstractTask<? extends T>[]) new AbstractTask<?>[tasks.size()];
        int i = 0;
        for (Task<? extends T> task : tasks) {
            if (!(task instanceof AbstractTask<? extends T> input)) {
                throw new IllegalArgumentException("input " + i + " is " + task + ", not a Krill task");
            }
            inputs[i++] = input;
        }
        return inputs;
    }
}
