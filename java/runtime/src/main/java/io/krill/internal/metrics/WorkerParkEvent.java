package io.krill.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/** A worker went to sleep (in epoll_wait or LockSupport) for lack of work; the duration is the sleep. */
@Name("io.krill.WorkerPark")
@Label("Worker Park")
@Category({"Krill", "Executor"})
@Description("A worker slept for lack of work")
@Threshold("1 ms") // idle workers park long; the sub-millisecond naps of a busy one are noise
public final class WorkerParkEvent extends jdk.jfr.Event {

    @Label("Worker")
    public int worker;

    @Label("Timeout")
    @Description("The longest the worker meant to sleep (its next timer), or -1 for none")
    @Timespan(Timespan.NANOSECONDS)
    public long timeout;
}
