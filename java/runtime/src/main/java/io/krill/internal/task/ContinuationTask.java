package io.krill.internal.task;

import io.krill.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * map / then / handle: a task that waits for its source (as a waiter, not in any queue), then
 * runs its function on a worker. {@code then} waits a second time, for the task its function
 * returned. Cancelling it cancels what it waits for.
 *
 * <p>Cancel safety: a cancellation that comes too late to stop a value hands it back
 * ({@link HandBack}): the source's value when the function never ran (who takes {@code fn} with
 * getAndSet owns that value: the step to apply it, or the cancel to hand it back); a
 * {@code map} or {@code handle} whose function is running is finishing and cannot be cancelled
 * (see {@link #cancel()}); and a {@code then}'s inner task's value is handed back once, by
 * whichever of the step and the cancel sees it first.
 */
final class ContinuationTask<S, T> extends ScheduledTask<T> {

    private enum Kind { MAP, THEN, HANDLE }

    private static final VarHandle FN;

    static {
        try {
            FN = MethodHandles.lookup().findVarHandle(ContinuationTask.class, "fn", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Kind kind;
    private final AbstractTask<S> source;
    private volatile Object fn; // Function or BiFunction by kind; taken (getAndSet null) to apply or to hand back
    private volatile AbstractTask<T> inner; // then: the task fn returned

    private ContinuationTask(TaskScheduler scheduler, Kind kind, AbstractTask<S> source, Object fn) {
        super(scheduler);
        this.kind = kind;
        this.source = source;
        this.fn = fn;
    }

    private static TaskScheduler schedulerFor(AbstractTask<?> source) {
        if (WorkerContext.current() == null && source instanceof ScheduledTask<?> scheduled) {
            return scheduled.scheduler(); // off a worker: where the source runs
        }
        return TaskScheduler.here();
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
            if (awaited.isDone() && !completeWithOutcome(awaited.outcome())) {
                HandBack.cancelOrHandBack(awaited); // cancelled as the inner task finished
            }
            return; // else a spurious wake: still waiting for inner
        }
        if (!source.isDone()) {
            return; // spurious wake
        }
        Object f = FN.getAndSet(this, null);
        if (f == null) {
            return; // cancelled meanwhile: the cancel took fn and handed the source's value back
        }
        Throwable failure = source.failureNow();
        switch (kind) {
            case MAP -> {
                if (failure != null) {
                    completeWithOutcome(source.outcome());
                } else {
                    T mapped = ((Function<? super S, ? extends T>) f).apply(source.resultNow());
                    if (!completeValue(mapped)) {
                        HandBack.close(mapped); // not through cancel(), which waits for fn: never drop a value silently
                    }
                }
            }
            case HANDLE -> {
                T handled = ((BiFunction<? super S, Throwable, ? extends T>) f)
                        .apply(failure == null ? source.resultNow() : null, failure);
                if (!completeValue(handled)) {
                    HandBack.close(handled);
                }
            }
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
                inner = nextTask; // before the check below: a cancel that misses it is seen here
                if (isCancelled()) {
                    HandBack.cancelOrHandBack(nextTask);
                } else if (nextTask.isDone() || !nextTask.addWaiter(this)) {
                    if (!completeWithOutcome(nextTask.outcome())) {
                        HandBack.cancelOrHandBack(nextTask);
                    }
                }
            }
        }
    }

    /**
     * This task's value, taken by nobody: {@code then}'s came from the inner task, which gives it
     * back where it came from; {@code map}'s and {@code handle}'s are fn's, closed if they hold
     * something.
     */
    @Override
    protected void handBack(T value) {
        AbstractTask<T> awaited = inner;
        if (kind == Kind.THEN && awaited != null) {
            awaited.handBackOnce();
        } else {
            HandBack.close(value);
        }
    }

    private boolean cancelSelf() {
        return super.cancel();
    }

    /**
     * Whoever takes {@code fn} (getAndSet) decides: the cancel, and fn never runs (the source's
     * value, if it came, is given back), or the step, and then a {@code map} or {@code handle}
     * is running fn and will complete with its value: too late to cancel (false), as a granted
     * lock is, so a timeout delivers that value and a race waits for it, where cancelling would
     * lose what fn made of the source's value. A {@code then} that ran fn waits for fn's task,
     * which the cancel stops (or gives back).
     */
    @Override
    public boolean cancel() {
        if (isDone()) {
            return false;
        }
        if (FN.getAndSet(this, null) != null) { // fn never ran, and now never will
            if (!source.cancel()) {
                if (!source.isDone()) {
                    // Finishing (a grant in flight): its value goes back when it lands, and only
                    // then does this end, so whoever sees it cancelled and takes again finds the
                    // value back in place.
                    source.whenDone(() -> {
                        source.handBackOnce();
                        cancelSelf();
                    });
                    return false;
                }
                source.handBackOnce(); // before this ends: see above
            }
            return cancelSelf();
        }
        if (kind != Kind.THEN || !super.cancel()) {
            return false;
        }
        AbstractTask<T> awaited = inner;
        if (awaited != null) {
            HandBack.cancelOrHandBack(awaited);
        }
        return true;
    }
}
