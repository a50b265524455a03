package io.krill.internal.task;

import io.krill.Task;
import java.util.Collection;

/** {@link Task#race}: the first input to finish decides; the others are cancelled. */
public final class RaceTask<T> extends AbstractTask<T> {

    private final AbstractTask<? extends T>[] inputs;

    private RaceTask(AbstractTask<? extends T>[] inputs) {
        this.inputs = inputs;
    }

    public static <T> Task<T> of(Collection<? extends Task<? extends T>> tasks) {
        AbstractTask<? extends T>[] inputs = Inputs.of(tasks);
        if (inputs.length == 0) {
            throw new IllegalArgumentException("race() needs at least one task");
        }
        RaceTask<T> race = new RaceTask<>(inputs);
        for (AbstractTask<? extends T> input : inputs) {
            input.whenDone(() -> race.inputDone(input));
        }
        return race;
    }

    private void inputDone(AbstractTask<? extends T> winner) {
        if (completeWithOutcome(winner.outcome())) {
            for (AbstractTask<? extends T> input : inputs) {
                if (input != winner) {
                    input.cancel();
                }
            }
        }
    }

    @Override
    public boolean cancel() {
        if (!super.cancel()) {
            return false;
        }
        for (AbstractTask<? extends T> input : inputs) {
            input.cancel();
        }
        return true;
    }
}
