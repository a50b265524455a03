package io.krill.internal.task;

import io.krill.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * {@link Task#all}: every input's result in order, or the first failure (cancelling the rest,
 * and giving back the values of those that had finished, see {@link HandBack}).
 */
public final class AllTask<T> extends AbstractTask<List<T>> {

    private static final VarHandle REMAINING;

    static {
        try {
            REMAINING = MethodHandles.lookup().findVarHandle(AllTask.class, "remaining", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AbstractTask<? extends T>[] inputs;
    /** Claimed once, by the first failure, a cancel, or the last value: the others then change nothing. */
    private final java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int remaining;

    private AllTask(AbstractTask<? extends T>[] inputs) {
        this.inputs = inputs;
        this.remaining = inputs.length;
    }

    public static <T> Task<List<T>> of(Collection<? extends Task<? extends T>> tasks) {
        AbstractTask<? extends T>[] inputs = Inputs.of(tasks);
        AllTask<T> all = new AllTask<>(inputs);
        if (inputs.length == 0) {
            all.completeValue(List.of());
            return all;
        }
        for (AbstractTask<? extends T> input : inputs) {
            input.whenDone(() -> all.inputDone(input));
        }
        return all;
    }

    private void inputDone(AbstractTask<? extends T> input) {
        if (input.failureNow() != null) {
            // Claim the failure first, settle the others, then complete: whoever sees this task
            // failed sees the other inputs cancelled, or finished and their values given back.
            if (decided.compareAndSet(false, true)) {
                Runnable fail = () -> completeWithOutcome(input.outcome());
                if (HandBack.settle(inputs, input, fail)) {
                    fail.run();
                }
            }
            return;
        }
        if ((int) REMAINING.getAndAdd(this, -1) == 1 && decided.compareAndSet(false, true)) { // the last input, unless cancelled
            List<T> values = new ArrayList<>(inputs.length);
            for (AbstractTask<? extends T> each : inputs) {
                values.add(each.resultNow());
            }
            completeValue(java.util.Collections.unmodifiableList(values));
        }
    }

    /**
     * Cancels every input, giving back the values of those that had finished. An input that is
     * finishing (a grant in flight) cannot be cancelled, and neither can this task until it has
     * landed and been given back: then false, and this task ends cancelled once it has.
     */
    @Override
    public boolean cancel() {
        if (!decided.compareAndSet(false, true)) {
            return false;
        }
        if (!HandBack.settle(inputs, null, super::cancel)) {
            return false;
        }
        return super.cancel();
    }

    /** The list, taken by nobody: each input's value goes back where it came from. */
    @Override
    protected void handBack(List<T> values) {
        for (AbstractTask<? extends T> input : inputs) {
            input.handBackOnce();
        }
    }

    @Override
    public String toString() {
        return super.toString() + Arrays.toString(inputs);
    }
}
