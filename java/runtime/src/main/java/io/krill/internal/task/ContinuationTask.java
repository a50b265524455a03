package io.krill.internal.task;

import io.krill.Task;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * map / then / handle: a task that waits for its source (as a waiter, not in any queue), then
 * runs its function on a worker. {@code then} waits a second time, for the task its function
 * returned. Cancelling it cancels what it waits for.
 */
final class ContinuationTask<S, T> extends ScheduledTask<T> {

    private enum Kind { MAP, THEN, HANDLE }

    private final Kind kind;
    private final AbstractTask<S> source;
    private Object fn; // Function or BiFunction by kind; cleared once applied
    private volatile AbstractTask<T> inner; // then: the task fn returned

    private ContinuationTask(TaskScheduler scheduler, Kind kind, AbstractTask<S> source, Object fn) {
        super(scheduler);
        this.kind = kind;
        this.source = source;
        this.fn = fn;
    }

    private static TaskScheduler schedulerFor(AbstractTask<?> source) {
        TaskScheduler current = WorkerContext.currentScheduler();
        if (current != null) {
            return current;
        }
        return source instanceof ScheduledTask<?> scheduled ? scheduled.scheduler() : TaskScheduler.INLINE;
    }

    private static <S, T> Task<T> start(AbstractTask<S> source, Kind kind, Object fn) {
        if (fn == null) {
            throw new NullPointerException("function");
        }
        ContinuationTask<S, T> task = new ContinuationTask<>(schedulerFor(source), kind, source, fn);
        source.whenDone(task);
        return task;
    }

    static <S, T> Task<T> map(AbstractTask<S> source, Function<? super S, ? extends T> fn) {
        return start(source, Kind.MAP, fn);
    }

    static <S, T> Task<T> then(AbstractTask<S> source, Function<? super S, ? extends Task<T>> fn) {
        return start(source, Kind.THEN, fn);
    }

    static <S, T> Task<T> handle(AbstractTask<S> source, BiFunction<? super S, Throwable, ? extends T> fn) {
        return start(source, Kind.HANDLE, fn);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void step() {
        AbstractTask<T> awaited = inner;
        if (awaited != null) {
            if (awaited.isDone()) {
                completeWithOutcome(awaited.outcome());
            }
            return; // spurious wake: still waiting for inner
        }
        if (!source.isDone()) {
            return; // spurious wake
        }
        Object f = fn;
        fn = null;
        Throwable failure = source.failureNow();
        switch (kind) {
            case MAP -> {
                if (failure != null) {
                    completeWithOutcome(source.outcome());
                } else {
                    completeValue(((Function<? super S, ? extends T>) f).apply(source.resultNow()));
                }
            }
            case HANDLE -> completeValue(((BiFunction<? super S, Throwable, ? extends T>) f)
                    .apply(failure == null ? source.resultNow() : null, failure));
            case THEN -> {
                if (failure != null) {
                    completeWithOutcome(source.outcome());
                    return;
                }
                Task<T> next = ((Function<? super S, ? extends Task<T>>) f).apply(source.resultNow());
                if (next == null) {
                    throw new IllegalStateException("then(fn): fn returned null, not a task");
                }
                AbstractTask<T> nextTask = AbstractTask.of(next, "then(fn)'s task");
                inner = nextTask;
                if (isCancelled()) {
                    nextTask.cancel();
                } else if (nextTask.isDone()) {
                    completeWithOutcome(nextTask.outcome());
                } else if (!nextTask.addWaiter(this)) {
                    completeWithOutcome(nextTask.outcome());
                }
            }
        }
    }

    @Override
    public boolean cancel() {
        if (!super.cancel()) {
            return false;
        }
        source.cancel();
        AbstractTask<T> awaited = inner;
        if (awaited != null) {
            awaited.cancel();
        }
        return true;
    }
}
