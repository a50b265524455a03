package io.krill.internal.task;

import io.krill.Promise;

/** A task completed by hand. */
public final class PromiseTask<T> extends AbstractTask<T> implements Promise<T> {

    public PromiseTask() {}

    private PromiseTask(T value) {
        super(value);
    }

    /** A promise already fulfilled with {@code value}, made without atomic operations. */
    public static <T> PromiseTask<T> fulfilled(T value) {
        return new PromiseTask<>(value);
    }

    @Override
    public boolean complete(T value) {
        return completeValue(value);
    }

    @Override
    public boolean fail(Throwable failure) {
        return completeFailure(failure);
    }
}
