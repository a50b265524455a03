package io.krill.internal.task;

import io.krill.Task;
import java.util.concurrent.Callable;

/**
 * An operation sent to a worker by {@link OffWorker#route}: its first step runs the operation
 * there, and the task then completes as the operation's task does (a second step, woken by
 * it).
 *
 * <p>Cancel safety: the result CAS of {@link #cancel()} and the store of {@link #inner} are
 * both volatile, and each side looks at the other's after its own (cancel: result, then inner;
 * step: inner, then result), so at least one of them sees both and settles the inner task;
 * both may, which is harmless (cancel is idempotent and a value is handed back once).
 */
final class RoutedTask<T> extends ScheduledTask<T> {

    private final String what;
    private Callable<? extends Task<T>> operation; // run by the first step, then cleared
    /** The operation's task: written by the first step, read by later steps and by cancel(). */
    private volatile AbstractTask<T> inner;

    RoutedTask(TaskScheduler scheduler, String what, Callable<? extends Task<T>> operation) {
        super(scheduler, true);
        this.what = what;
        this.operation = operation;
    }

    @Override
    public String describe() {
        return "routed " + what;
    }

    @Override
    protected void step() throws Exception {
        AbstractTask<T> task = inner;
        if (task == null) {
            Callable<? extends Task<T>> op = operation;
            operation = null;
            task = AbstractTask.of(op.call(), what + "'s task");
            inner = task; // volatile: see the class notes
            if (isDone()) {
                HandBack.cancelOrHandBack(task); // cancelled while the operation ran
                return;
            }
            if (task.addWaiter(this)) {
                return; // woken when it finishes: the next step completes as it did
            }
        }
        if (!completeAs(task)) {
            HandBack.handBack(task); // cancelled as it finished: what it made is nobody's
        }
    }

    @Override
    public boolean cancel() {
        if (!super.cancel()) {
            return false;
        }
        AbstractTask<T> task = inner;
        if (task != null) {
            HandBack.cancelOrHandBack(task);
        }
        return true;
    }
}
