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
 * ({@link HandBack}): the source's value when the function never ran (who takes {@code fn} by
 * CAS owns that value: the step to apply it, or the cancel to hand it back); a
 * {@code map} or {@code handle} whose function is running is finishing and cannot be cancelled
 * (see {@link #cancel()}); and a {@code then}'s inner task's value is handed back once, by
 * whichever of the step and the cancel sees it first.
 *
 * <p>Loops that do not grow. A loop written as {@code then} recursion
 * ({@code loop() = read().then(n -> write(n).then(v -> loop()))}) would hold one pending link
 * per iteration: each {@code then} waits for the task its function returned, which waits for
 * the next. Instead, as Scala's promises do, a {@code then} whose function returns another
 * pending {@code then} that has not run its function yet <em>links</em> it: the returned task's
 * outcome becomes this one's ({@link AbstractTask#linkTo}), and when its function runs it hands
 * its task to this one (the root) rather than waiting for it itself. The root holds only the
 * current link; finished ones are garbage, so the loop runs in constant space, and cancelling
 * the root cancels the current link, not a chain. Linking is decided on {@code fn}: the root
 * swaps the function for a {@link LinkedFn} by CAS, so the linked task's step and its cancel,
 * which take {@code fn} the same way, each see whether it is linked. A root was never linked
 * itself (its function had run when it linked), so links are one hop.
 */
final class ContinuationTask<S, T> extends ScheduledTask<T> {

    private enum Kind { MAP, THEN, HANDLE }

    private static final VarHandle FN;
    private static final VarHandle LINK_ROOT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FN = lookup.findVarHandle(ContinuationTask.class, "fn", Object.class);
            LINK_ROOT = lookup.findVarHandle(ContinuationTask.class, "linkRoot", ContinuationTask.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code fn} of a task linked to a root, until its step or its cancel takes it. */
    private record LinkedFn(Object fn) {}

    /** {@code fn} after a linked task's step or cancel took it: retired, answering to its root. */
    private static final Object TAKEN_LINKED = new Object();

    private final Kind kind;
    private final AbstractTask<S> source;
    /**
     * Function or BiFunction by kind; or a LinkedFn wrapping it once linked. Taken (by CAS, see
     * takeFn) to apply it or to hand back: null after, or TAKEN_LINKED for a linked task.
     */
    private volatile Object fn;
    private volatile AbstractTask<T> inner; // then: the task fn returned (a root: the current link)
    /** The root this task is linked to; set (once, by CAS) just before the root swaps fn. */
    private volatile ContinuationTask<?, T> linkRoot;

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

    /** A finished source: a {@code then} on it runs its function at the first step. */
    private static final AbstractTask<Void> NOW = PromiseTask.fulfilled(null);

    /**
     * The task that {@code operation} returns, with {@code operation} run by a step on
     * {@code scheduler} rather than here: a {@code then} of a finished source, so it has the
     * same cancel safety (cancelled before the step, the operation never runs; after, its task
     * is cancelled or what it made handed back). For {@link OffWorker#route}.
     */
    static <T> Task<T> runOn(TaskScheduler scheduler, java.util.function.Supplier<? extends Task<T>> operation) {
        if (operation == null) {
            throw new NullPointerException("operation");
        }
        ContinuationTask<Void, T> task = new ContinuationTask<>(scheduler, Kind.THEN, NOW,
                (Function<Void, Task<T>>) done -> operation.get());
        NOW.whenDone(task); // finished: wakes it at once, which queues it on the scheduler
        return task;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void step() {
        AbstractTask<T> awaited = inner;
        if (awaited != null) {
            if (awaited.isDone()) {
                completeAsInner(awaited); // or gives it back, cancelled as it finished
            }
            return; // else a spurious wake: still waiting for inner
        }
        if (!source.isDone()) {
            return; // spurious wake
        }
        Object f = takeFn();
        if (f == null) {
            return; // cancelled meanwhile: the cancel took fn and handed the source's value back
        }
        if (f instanceof LinkedFn linked) {
            stepLinked(linked.fn());
            return;
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
                awaitInner(applyThen(f));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private AbstractTask<T> applyThen(Object f) {
        Task<T> next = ((Function<? super S, ? extends Task<T>>) f).apply(source.resultNow());
        if (next == null) {
            throw new IllegalStateException("then(fn): fn returned null, not a task");
        }
        return AbstractTask.of(next, "then(fn)'s task");
    }

    /**
     * A root's wait for the task its function (or a linked task's) returned: links it when it is
     * a {@code then} that has not run its function, else waits for it as a waiter.
     */
    private void awaitInner(AbstractTask<T> next) {
        inner = next; // before the check below: a cancel that misses it is seen here
        if (isDone()) {
            HandBack.cancelOrHandBack(next); // cancelled: nobody will take what next brings
        } else if (next instanceof ContinuationTask<?, T> then && then.linkUnder(this)) {
            return; // then's step hands its own task to this one, or completes this one
        } else if (next.isDone() || !next.addWaiter(this)) {
            completeAsInner(next);
        }
    }

    /**
     * Completes as the finished {@code next}, or, when this task ended first (cancelled), gives
     * back next's value, which nobody takes now. Not when this task's outcome is next's already:
     * a root's own step and a linked task's hand-over may both see next finish.
     */
    private void completeAsInner(AbstractTask<T> next) {
        Object outcome = next.outcome();
        if (!completeWithOutcome(outcome) && outcome() != outcome) {
            HandBack.cancelOrHandBack(next);
        }
    }

    /**
     * Links this task to {@code root}, if it is a {@code then} whose function has not run: from
     * here on its step and its cancel answer to the root (see the class notes).
     */
    private boolean linkUnder(ContinuationTask<?, T> root) {
        Object f = fn;
        if (kind != Kind.THEN || f == null || f instanceof LinkedFn || f == TAKEN_LINKED
                || !LINK_ROOT.compareAndSet(this, null, root)) {
            return false;
        }
        if (!FN.compareAndSet(this, f, new LinkedFn(f))) {
            return false; // its step or a cancel took fn first: the root waits for it instead
        }
        if (!linkTo(root)) {
            // It finished on its own before the link took (cancelled in a queue at shutdown),
            // so its function never runs: the root ends as it did.
            if (!root.completeWithOutcome(outcome())) {
                HandBack.cancelOrHandBack(this);
            }
        }
        return true;
    }

    /** A linked task's step: its function runs, and what comes of it goes to the root. */
    private void stepLinked(Object f) {
        ContinuationTask<?, T> root = linkRoot;
        retire();
        if (source.failureNow() != null) {
            root.completeWithOutcome(source.outcome());
            return;
        }
        root.awaitInner(applyThen(f)); // fn throwing: see stepFailed
    }

    /**
     * Takes {@code fn}, once: the function (or its LinkedFn) for whoever applies it or hands
     * back the source's value; null if already taken.
     */
    private Object takeFn() {
        for (;;) {
            Object f = fn;
            if (f == null || f == TAKEN_LINKED) {
                return null;
            }
            if (FN.compareAndSet(this, f, f instanceof LinkedFn ? TAKEN_LINKED : null)) {
                return f;
            }
        }
    }

    /** Leaves the scheduler's books: a linked task's outcome is its root's, which stays live. */
    private void retire() {
        scheduler().taskFinished(this, null);
    }

    @Override
    public boolean isRetired() {
        return fn == TAKEN_LINKED;
    }

    @Override
    protected void stepFailed(Throwable error) {
        if (fn == TAKEN_LINKED) {
            linkRoot.completeFailure(error); // this step took the linked fn, which threw
        } else {
            super.stepFailed(error);
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
     * Whoever takes {@code fn} (takeFn) decides: the cancel, and fn never runs (the source's
     * value, if it came, is given back), or the step, and then a {@code map} or {@code handle}
     * is running fn and will complete with its value: too late to cancel (false), as a granted
     * lock is, so a timeout delivers that value and a race waits for it, where cancelling would
     * lose what fn made of the source's value. A {@code then} that ran fn waits for fn's task,
     * which the cancel stops (or gives back).
     */
    @Override
    public boolean cancel() {
        Object f = fn;
        if (f instanceof LinkedFn || f == TAKEN_LINKED) {
            return cancelLinked(); // before isDone(): done may be the root's, with fn still here
        }
        if (isDone()) {
            // Linked just now, to a root that has ended: the link is set after fn is swapped.
            f = fn;
            return (f instanceof LinkedFn || f == TAKEN_LINKED) && cancelLinked();
        }
        Object taken = takeFn();
        if (taken instanceof LinkedFn) {
            return cancelLinked(true); // linked just now
        }
        if (taken != null) { // fn never ran, and now never will
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

    private boolean cancelLinked() {
        return cancelLinked(takeFn() instanceof LinkedFn);
    }

    /**
     * A linked task's cancel is its root's: the root cancels its current link. When this task
     * took the linked fn here, its function never runs: its source is stopped first, or its
     * value given back, as an unlinked task's cancel does.
     */
    private boolean cancelLinked(boolean tookFn) {
        ContinuationTask<?, T> root = linkRoot;
        if (tookFn) {
            retire();
            if (!source.cancel()) {
                if (!source.isDone()) {
                    source.whenDone(() -> {
                        source.handBackOnce();
                        root.cancel();
                    });
                    return false;
                }
                source.handBackOnce();
            }
        }
        return root.cancel();
    }
}
