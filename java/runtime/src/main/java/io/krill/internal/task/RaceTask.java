package io.krill.internal.task;

import io.krill.Task;
import java.util.Collection;

/**
 * {@link Task#race}: the first input to finish decides; the others are cancelled, and one that
 * finished too late to win but before its cancellation gives its value back
 * ({@link HandBack}: a second accepted stream or guard is closed, a second message goes back
 * to its channel), so nothing leaks and nothing is lost.
 */
public final class RaceTask<T> extends AbstractTask<T> {

    private final AbstractTask<? extends T>[] inputs;
    private final java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile AbstractTask<? extends T> winner; // set by the decider, before this completes

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

    /**
     * The first input to finish claims the race and cancels the others; the race completes once
     * every loser is settled: cancelled, or finished and its value given back. A loser that
     * cannot be cancelled yet is finishing (a grant in flight, a system call under way); waiting
     * for it keeps its hand-back before the race's end, so that whoever sees the race finished
     * and takes again (the next recv, the next read) finds the loser's value back in place.
     */
    private void inputDone(AbstractTask<? extends T> first) {
        if (!decided.compareAndSet(false, true)) {
            return;
        }
        winner = first;
        if (HandBack.settle(inputs, first, this::settled)) {
            settled();
        }
    }

    /** Every loser settled: the race ends as its winner did, or, cancelled (no winner), cancelled. */
    private void settled() {
        AbstractTask<? extends T> won = winner;
        if (won != null) {
            completeWithOutcome(won.outcome());
        } else {
            super.cancel();
        }
    }

    /** The race's value, taken by nobody: the winner's, given back where it came from. */
    @Override
    protected void handBack(T value) {
        AbstractTask<? extends T> won = winner;
        if (won != null) {
            won.handBackOnce();
        }
    }

    /**
     * Cancels every input, giving back the values of those that had finished; an input that is
     * finishing (a grant in flight) cannot be cancelled, and neither can the race until it has
     * landed and been given back: then false, and the race ends cancelled once it has.
     */
    @Override
    public boolean cancel() {
        if (!decided.compareAndSet(false, true)) {
            return false;
        }
        if (!HandBack.settle(inputs, null, this::settled)) {
            return false;
        }
        settled();
        return isCancelled();
    }
}
