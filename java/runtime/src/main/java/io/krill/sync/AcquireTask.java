package io.krill.sync;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A task that waits for a semaphore acquire and then delivers something made from the permit
 * (a guard, a sent message, a send permit) without ever leaking the permit: the value is made
 * and the task completed in one step; if the task was cancelled meanwhile, the value is handed
 * to {@code refused}, which gives the permit back.
 */
final class AcquireTask<T> extends AbstractTask<T> {

    private final AbstractTask<Void> acquire;

    private AcquireTask(AbstractTask<Void> acquire) {
        this.acquire = acquire;
    }

    /**
     * @param make      makes the value once the permit is ours
     * @param delivered runs after the task completed with it (the side effect, e.g. a push)
     * @param refused   takes the value back when the task was cancelled first
     */
    static <T> Task<T> of(Task<Void> acquired, Supplier<T> make, Consumer<T> delivered, Consumer<T> refused) {
        AcquireTask<T> task = new AcquireTask<>((AbstractTask<Void>) acquired);
        task.acquire.whenDone(() -> {
            Throwable failure = task.acquire.failureNow();
            if (failure != null) {
                task.completeFailure(failure); // closed, or cancelled by our own cancel()
                return;
            }
            T value = make.get();
            if (task.completeValue(value)) {
                delivered.accept(value);
            } else {
                refused.accept(value); // cancelled after the grant: give the permit back
            }
        });
        return task;
    }

    /**
     * Claims the cancellation first, then withdraws the acquire: if it was already granted, the
     * callback above finds this task cancelled and gives the permit back.
     */
    @Override
    public boolean cancel() {
        boolean cancelled = super.cancel();
        acquire.cancel();
        return cancelled;
    }
}
