package io.krill.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A worker took tasks from another worker's queue (half of them, Tokio's steal). */
@Name("io.krill.TaskSteal")
@Label("Task Steal")
@Category({"Krill", "Executor"})
@Description("A worker stole tasks from another worker's local queue")
@StackTrace(false)
@Enabled(false) // one per steal/batch under load: opt in (e.g. jfr configure, or settings)
public final class TaskStealEvent extends jdk.jfr.Event {

    @Label("Worker")
    public int worker;

    @Label("Victim")
    public int victim;
}
