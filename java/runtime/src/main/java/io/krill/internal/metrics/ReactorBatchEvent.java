package io.krill.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One epoll_wait batch of a worker's reactor shard that returned events (wake-ups included). */
@Name("io.krill.ReactorBatch")
@Label("Reactor Batch")
@Category({"Krill", "Reactor"})
@Description("Events one epoll_wait of a worker's shard delivered")
@StackTrace(false)
@Enabled(false) // one per steal/batch under load: opt in (e.g. jfr configure, or settings)
public final class ReactorBatchEvent extends jdk.jfr.Event {

    @Label("Events")
    public int events;
}
