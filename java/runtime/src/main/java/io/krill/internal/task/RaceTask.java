package io.krill.internal.task;

import io.krill.Task;
import java.util.Collection;

/**
 * {@link Task#race}: the first input to finish decides; the others are cancelled, and one that
 * finished too late to win but before its cancellation closes its value if it is
 * {@link AutoCloseable} (a second accepted stream, a second guard), so nothing leaks.
 */
public final class RaceTask<T> extends AbstractTask<T> {

    private final AbstractTask<? extends T>[] inputs;
    private final java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();

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

    /** The first input to finish claims the race, cancels the others, then completes it: whoever sees the race finished sees the losers cancelled. */
    private void inputDone(AbstractTask<? extends T> winner) {
        if (!decided.compareAndSet(false, true)) {
            return;
        }
        for (AbstractTask<? extends T> input : inputs) {
            if (input != winner) {
                HandBack.cancelOrClose(input);
            }
        }
        completeWithOutcome(winner.outcome());
    }

    @Override
    public boolean cancel() {
        if (!decided.compareAndSet(false, true)) {
            return false;
        }
        for (AbstractTask<? extends T> input : inputs) {
            HandBack.cancelOrClose(input);
        }
        return super.cancel();
    }
}
