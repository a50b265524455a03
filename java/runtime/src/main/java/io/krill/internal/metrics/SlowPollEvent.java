package io.krill.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One step of a task that ran longer than the threshold (10 ms unless the recording says
 * otherwise): while it ran, the worker's queue, timers and reactor shard waited.
 */
@Name("io.krill.SlowPoll")
@Label("Slow Task Poll")
@Category({"Krill", "Executor"})
@Description("A task step held its worker longer than the threshold")
@Threshold("10 ms")
@StackTrace(false)
public final class SlowPollEvent extends jdk.jfr.Event {

    @Label("Task")
    @Description("The class of the task (for a coroutine, the coroutine's class)")
    public String task;

    @Label("Worker")
    public int worker;
}
