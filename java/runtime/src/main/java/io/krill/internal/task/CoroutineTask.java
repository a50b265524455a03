package io.krill.internal.task;

import io.krill.Coroutine;
import io.krill.Step;
import io.krill.Task;

/**
 * A spawned task that runs a {@link Coroutine} step by step; the task is its own {@link Step}.
 * Only the thread running a step touches {@code said}, so it is plain.
 */
public final class CoroutineTask<T> extends ScheduledTask<T> implements Step<T> {

    private static final int NOTHING = 0;
    private static final int FINISHED = 1;
    private static final int YIELDED = 2;
    private static final int AWAITING = 3;

    private final Coroutine<T> body;
    private int said;

    public CoroutineTask(TaskScheduler scheduler, Coroutine<T> body) {
        super(scheduler, true);
        this.body = body;
    }

    @Override
    protected void step() throws Exception {
        said = NOTHING;
        body.resume(this);
        if (said == NOTHING && !isDone()) {
            completeFailure(new IllegalStateException("coroutine " + body.getClass().getName()
                    + " returned from resume() without complete, fail, yieldNow or a pending await:"
                    + " it would never run again"));
        }
    }

    @Override
    public String describe() {
        return body.getClass().getName();
    }

    @Override
    public boolean reportsUncaught() {
        return true;
    }

    @Override
    public void complete(T value) {
        said = FINISHED;
        completeValue(value);
    }

    @Override
    public void fail(Throwable failure) {
        said = FINISHED;
        completeFailure(failure);
    }

    @Override
    public void yieldNow() {
        said = YIELDED;
        wakeSelf(); // RUNNING: only marks NOTIFIED; the worker re-queues us behind the others
    }

    @Override
    public boolean await(Task<?> task) {
        AbstractTask<?> awaited = AbstractTask.of(task, "the awaited task");
        if (awaited.isDone()) {
            if (tryConsumeBudget()) {
                return true;
            }
            yieldNow(); // budget spent: let the queued tasks run first
            return false;
        }
        said = AWAITING;
        if (!awaited.addWaiter(this)) {
            wakeSelf(); // finished in between: run again soon
        }
        return false;
    }

    /** Off a worker (a test driving the coroutine by hand) there is no budget to spend. */
    private static boolean tryConsumeBudget() {
        WorkerContext worker = WorkerContext.current();
        return worker == null || worker.tryConsumeBudget();
    }
}
