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

    /**
     * Settles every task of {@code tasks} but {@code except}: cancels it, or gives its value
     * back if it had finished. One that can be neither yet is finishing (a grant in flight, a
     * system call under way): it is given back when it lands, and {@code settled} runs once the
     * last such one has. A combinator that waits for this before it completes keeps every
     * hand-back before its own end, so whoever sees it finished and takes again (the next recv,
     * the next lock) finds the values back in place.
     *
     * @return true when all were settled now ({@code settled} is then not run: the caller goes
     *         on itself); false when {@code settled} will run later, once (a counter and a waker
     *         are made only then)
     */
    static boolean settle(AbstractTask<?>[] tasks, AbstractTask<?> except, Runnable settled) {
        java.util.concurrent.atomic.AtomicInteger unsettled = null;
        for (AbstractTask<?> task : tasks) {
            if (task == except || task.cancel()) {
                continue;
            }
            if (task.isDone()) {
                task.handBackOnce();
                continue;
            }
            if (unsettled == null) {
                unsettled = new java.util.concurrent.atomic.AtomicInteger(1); // the loop's own share
            }
            unsettled.incrementAndGet();
            java.util.concurrent.atomic.AtomicInteger count = unsettled;
            task.whenDone(() -> {
                task.handBackOnce();
                if (count.decrementAndGet() == 0) {
                    settled.run();
                }
            });
        }
        if (unsettled == null) {
            return true;
        }
        if (unsettled.decrementAndGet() == 0) { // every finishing one landed during the loop
            settled.run();
        }
        return false;
    }

    /** Gives back the value of {@code task}, finished and taken by nobody (nothing if it failed). */
    public static void handBack(AbstractTask<?> task) {
        task.handBackOnce();
    }

    /** Closes {@code value} if it holds something; a failure to close goes to the uncaught handler. */
    public static void close(Object value) {
        if (value instanceof AutoCloseable held) {
            try {
                held.close();
            } catch (Exception e) {
                TaskScheduler.here().uncaught(e);
            }
        }
    }
}
