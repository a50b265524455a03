package io.krill.internal.task;

import java.util.concurrent.Callable;

/** A spawned task whose body runs once. */
public final class CallableTask<T> extends ScheduledTask<T> {

    private Callable<? extends T> body; // cleared after the run, so a finished task holds no closure

    public CallableTask(TaskScheduler scheduler, Callable<? extends T> body) {
        super(scheduler, true);
        this.body = body;
    }

    @Override
    public String describe() {
        Callable<? extends T> b = body;
        return b == null ? super.describe() : b.getClass().getName();
    }

    @Override
    protected void step() throws Exception {
        Callable<? extends T> b = body;
        body = null;
        completeValue(b.call());
    }

    @Override
    public boolean reportsUncaught() {
        return true;
    }
}
