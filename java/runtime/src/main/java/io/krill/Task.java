package io.krill;

import io.krill.internal.task.AllTask;
import io.krill.internal.task.PromiseTask;
import io.krill.internal.task.RaceTask;
import io.krill.internal.task.YieldTask;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A light future: the eventual result of an asynchronous computation on Krill.
 *
 * <p>Compose tasks with {@link #map}, {@link #then}, {@link #handle}, {@link #all} and
 * {@link #race}; continuations run on the runtime's workers, never on the thread that completes
 * the source unless no runtime is involved. Inside a {@link Coroutine}, await a task with
 * {@link Step#await}. From a thread that is not a Krill worker (main, a virtual thread) a task
 * may be waited for with {@link #join()}; doing so on a worker would block it, so it throws.
 *
 * <p>Cancelling a task completes it with a {@link CancellationException} if it has not finished,
 * and cancels what it was waiting for: the source of a {@code map}, the inputs of {@code all}.
 *
 * <p>Only the runtime makes tasks (the interface is sealed): {@code spawn}, {@link #promise()},
 * the combinators and the library's waiting operations, so every task can be composed with
 * every other without an adapter.
 *
 * @param <T> the result type
 */
public sealed interface Task<T> permits Promise, JoinHandle, io.krill.internal.task.AbstractTask {

    /** True once the task has a result, a failure or was cancelled. */
    boolean isDone();

    /** True when the task finished by cancellation. */
    boolean isCancelled();

    /**
     * The result of a finished task, without waiting.
     *
     * @throws IllegalStateException if the task has not finished
     * @throws CompletionException   wrapping the failure of a failed task
     * @throws CancellationException if the task was cancelled
     */
    T resultNow();

    /** The failure of a finished, failed task; {@code null} when it succeeded or is not done. */
    Throwable failureNow();

    /**
     * Waits for the task from a thread that is not a Krill worker. On a virtual thread (one of
     * {@link Runtime#spawnVirtual}'s, or any other) only that virtual thread parks; its carrier
     * goes on with other virtual threads.
     *
     * <p>Uninterruptible: an interrupt is kept (the flag is set again on return) and the wait
     * goes on; {@link #join(Duration)} is the interruptible one. One exception: on a virtual
     * thread of {@link Runtime#spawnVirtual} whose handle was cancelled, a join that would wait
     * cancels this task instead (as an await in an aborted task drops what it awaited) and
     * throws {@link CancellationException}, unless this task finished first.
     *
     * @throws IllegalStateException on a worker thread: compose with {@link #then} instead
     * @throws CompletionException   wrapping the task's failure
     * @throws CancellationException if the task was cancelled
     */
    T join();

    /**
     * As {@link #join()}, giving up after {@code timeout}.
     *
     * @throws TimeoutException     when the task has not finished in time (it keeps running)
     * @throws InterruptedException when the waiting thread is interrupted
     */
    T join(Duration timeout) throws TimeoutException, InterruptedException;

    /**
     * Cancels the task if it has not finished, and what it waits for.
     *
     * @return true if this call cancelled it
     */
    boolean cancel();

    /**
     * A task completing with {@code fn} applied to this task's result; failures pass through.
     * Cancelled too late to stop the value, it closes it if it is {@link AutoCloseable} (the
     * result, before {@code fn} ran, or {@code fn}'s value after).
     */
    <U> Task<U> map(Function<? super T, ? extends U> fn);

    /**
     * A task completing as the task that {@code fn} returns for this task's result.
     *
     * <p>Loops may be written as {@code then} recursion
     * ({@code loop() = read().then(n -> write(n).then(v -> loop()))}): when {@code fn} returns
     * another pending {@code then}, the two are linked, so the loop holds only its current
     * iteration however long it runs, and cancelling it cancels what that iteration waits for.
     * This holds for tail calls: a recursion that maps what the next level returns
     * ({@code then(v -> loop()).map(n -> n + 1)}) keeps every level until the innermost ends, as
     * a non-tail recursion keeps its stack frames. A {@link Coroutine} awaits in place with no
     * link at all (see AwaitBenchmark for what each costs).
     *
     * <p>Cancel safety: cancelling the returned task hands back what it was too late to stop —
     * this task's result if {@code fn} never ran, or the result of {@code fn}'s task — by
     * closing it when it is {@link AutoCloseable} (a guard, a stream). A value {@code fn}
     * captured in a continuation of its own is that continuation's to close.
     */
    <U> Task<U> then(Function<? super T, ? extends Task<U>> fn);

    /**
     * A task completing with {@code fn(result, null)} on success or {@code fn(null, failure)} on
     * failure or cancellation: the place to recover.
     */
    <U> Task<U> handle(BiFunction<? super T, Throwable, ? extends U> fn);

    /**
     * A {@link CompletableFuture} completed as this task is. Cancelling the future cancels the
     * task (and what it waits for), as cancelling the task would.
     */
    CompletableFuture<T> toCompletableFuture();

    // ---- CompletionStage habits (#15), each built on the combinators above ------------------

    /**
     * A task completing as this one does, after {@code action(result, null)} on success or
     * {@code action(null, failure)} on failure or cancellation: the place for a "finally" (close
     * what the computation held). The outcome passes through unchanged (the same failure, not
     * wrapped; a cancellation stays one); if {@code action} throws, the task fails with that.
     */
    default Task<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        return handle((value, failure) -> {
            action.accept(value, failure);
            return this; // done: then(...) below completes as its outcome, failure and all
        }).then(done -> done);
    }

    /** A task with this task's result, or {@code fn(failure)} when it failed or was cancelled. */
    default Task<T> exceptionally(Function<Throwable, ? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        return handle((value, failure) -> failure == null ? value : fn.apply(failure));
    }

    /** A task that runs {@code action} on this task's result and completes with {@code null}; failures pass through. */
    default Task<Void> thenAccept(Consumer<? super T> action) {
        Objects.requireNonNull(action, "action");
        return map(value -> {
            action.accept(value);
            return null;
        });
    }

    /**
     * This task's outcome if it finishes within {@code limit}; else a failure with a
     * {@link TimeoutException}, and this task is cancelled: {@link io.krill.time.Time#timeout},
     * as an instance method. Call it on a worker (it arms a timer on the worker's wheel).
     */
    default Task<T> timeout(Duration limit) {
        return io.krill.time.Time.timeout(limit, this);
    }

    /** A finished task with {@code value}. */
    static <T> Task<T> completed(T value) {
        return PromiseTask.fulfilled(value);
    }

    /** A finished, failed task. */
    static <T> Task<T> failed(Throwable failure) {
        PromiseTask<T> task = new PromiseTask<>();
        task.fail(failure);
        return task;
    }

    /** A task completed by hand: see {@link Promise}. */
    static <T> Promise<T> promise() {
        return new PromiseTask<>();
    }

    /** A task that completes as {@code stage} does. */
    static <T> Task<T> fromStage(CompletionStage<T> stage) {
        PromiseTask<T> task = new PromiseTask<>();
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                task.fail(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else {
                task.complete(value);
            }
        });
        return task;
    }

    /**
     * A task with every input's result in input order. It fails as soon as one input fails (with
     * that failure) and then cancels the others.
     */
    static <T> Task<List<T>> all(Collection<? extends Task<? extends T>> tasks) {
        return AllTask.of(tasks);
    }

    /** The first of {@code tasks} to finish wins, success or failure; the others are cancelled. */
    static <T> Task<T> race(Collection<? extends Task<? extends T>> tasks) {
        return RaceTask.of(tasks);
    }

    /** As {@link #race(Collection)}, for two tasks (Tokio's {@code select!} of two branches). */
    static <T> Task<T> race(Task<? extends T> first, Task<? extends T> second) {
        return RaceTask.of(List.of(first, second));
    }

    /**
     * A task that completes after going once through the current worker's queue, letting the
     * tasks queued before it run. On a thread that is not a worker it is already complete.
     */
    static Task<Void> yieldNow() {
        return YieldTask.create();
    }
}
