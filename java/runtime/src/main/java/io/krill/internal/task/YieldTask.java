package io.krill.internal.task;

import io.krill.Task;

/** Completes after one trip through the current worker's queue: {@link Task#yieldNow()}. */
public final class YieldTask extends ScheduledTask<Void> {

    private YieldTask(TaskScheduler scheduler) {
        super(scheduler, true);
    }

    public static Task<Void> create() {
        TaskScheduler scheduler = WorkerContext.currentScheduler();
        if (scheduler == null) {
            return Task.completed(null); // no queue to go through off a worker
        }
        YieldTask task = new YieldTask(scheduler);
        scheduler.schedule(task, true);
        return task;
    }

    @Override
    protected void step() {
        completeValue(null);
    }
}
