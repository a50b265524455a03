package io.krill.internal.task;

/**
 * What a consumer does with a task it gives up on: cancel it, or, when the task finished first
 * (a lock granted, a message received, a connection accepted), give its value back
 * ({@link AbstractTask#handBack}): a value that holds something ({@link AutoCloseable}: a
 * stream, a guard, a permit) is closed, as dropping it in Tokio would; a primitive's task that
 * took a plain value out of it (a message, a notification, permits, a broadcast position) puts
 * it back for the next taker. A cancel that loses to a grant in flight (completed just after
 * the primitive's lock) hands the value back when it lands.
 */
public final class HandBack {

    private HandBack() {}

    /** Cancels {@code task}; if it finished, or is finishing, with a value instead, gives that back. */
    public static void cancelOrHandBack(AbstractTask<?> task) {
        if (!task.cancel()) {
            task.whenDone(task::handBackOnce); // done: at once; a grant in flight: when it lands
        }
    }

    /** Gives back the value of {@code task}, finished and taken by nobody (nothing if it failed). */
    public static void handBack(AbstractTask<?> task) {
        task.handBackOnce();
    }

    /** Closes {@code value} if it holds something; a failure to close goes to the uncaught handler. */
    static void close(Object value) {
        if (value instanceof AutoCloseable held) {
            try {
                held.close();
            } catch (Exception e) {
                TaskScheduler.here().uncaught(e);
            }
        }
    }
}
