package io.krill.internal.task;

/**
 * Something to tell when a task finishes or a resource becomes ready: a scheduled task (which
 * then runs again), a combinator's bookkeeping, or a blocked thread. Called on the completing
 * thread; implementations must be quick and must not throw.
 */
@FunctionalInterface
public interface Waker {

    void wake();
}
