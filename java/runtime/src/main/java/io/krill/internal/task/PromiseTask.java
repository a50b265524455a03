package io.krill.internal.task;

import io.krill.Promise;

/** A task completed by hand. */
public final class PromiseTask<T> extends AbstractTask<T> implements Promise<T> {

    @Override
    public boolean complete(T value) {
        return completeValue(value);
    }

    @Override
    public boolean fail(Throwable failure) {
        return completeFailure(failure);
    }
}
