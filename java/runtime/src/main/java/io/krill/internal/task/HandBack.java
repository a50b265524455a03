package io.krill.internal.task;

/**
 * What a cancellation does with a value it arrived too late to prevent: a task that finished
 * before its cancel (a lock granted, a connection accepted) has a value nobody will see, and one
 * that holds something ({@link AutoCloseable}: a stream, a guard, a permit) is closed, as
 * dropping it in Tokio would. A plain value (a message, a number) cannot be given back from
 * here; the primitive that made it has to keep it (see the cancel-safety notes of each).
 */
final class HandBack {

    private HandBack() {}

    /** Cancels {@code task}; if it had finished with a value instead, closes that value. */
    static void cancelOrClose(AbstractTask<?> task) {
        if (task.cancel() || task.isCancelled() || task.failureNow() != null) {
            return;
        }
        close(task.resultNow());
    }

    /** Closes {@code value} if it holds something; a failure to close goes to the uncaught handler. */
    static void close(Object value) {
        if (value instanceof AutoCloseable held) {
            try {
                held.close();
            } catch (Exception e) {
                TaskScheduler scheduler = WorkerContext.currentScheduler();
                (scheduler != null ? scheduler : TaskScheduler.INLINE).uncaught(e);
            }
        }
    }
}
