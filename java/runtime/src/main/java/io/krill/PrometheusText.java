package io.krill;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * {@link RuntimeMetrics#toPrometheus()}: the Prometheus text exposition format, version 0.0.4.
 *
 * <p>Each family is written whole, in one place: {@code # HELP}, {@code # TYPE}, then its
 * samples, so that no name is typed twice. A family of per-worker or per-shard values has one
 * sample per worker, labelled {@code worker="i"} (shard {@code i} is worker {@code i}'s), and no
 * runtime-wide sample beside them: {@code sum()} in a query gives the total without counting it
 * twice. Counters end in {@code _total}; the busy time is in seconds, Prometheus' base unit,
 * written exactly from the nanoseconds (no floating point). No sample carries a timestamp: the
 * scrape's time is the snapshot's. The help texts hold no backslash or line break, so they need
 * no escaping; label values are escaped ({@code \\}, {@code \"}, {@code \n}).
 */
final class PrometheusText {

    private static final String COUNTER = "counter";
    private static final String GAUGE = "gauge";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final StringBuilder out = new StringBuilder(4096); // guess: a 2-worker snapshot is about 4 KiB

    private PrometheusText() {}

    static String render(RuntimeMetrics metrics) {
        PrometheusText text = new PrometheusText();
        text.runtime(metrics);
        text.workers(metrics.perWorker());
        text.reactor(metrics.reactor());
        text.blockingPool(metrics.blockingPool());
        return text.out.toString();
    }

    private void runtime(RuntimeMetrics m) {
        family("krill_runtime_info", GAUGE, "The runtime's native backend (jni, jna, or none), as a label; always 1.");
        out.append("krill_runtime_info{backend=\"").append(labelValue(m.backend())).append("\"} 1\n");
        single("krill_workers", GAUGE, "Worker threads.", m.workers());
        single("krill_live_tasks", GAUGE, "Tasks created and not yet finished.", m.liveTasks());
        single("krill_inject_queue_depth", GAUGE, "Tasks waiting in the shared (inject) queue.", m.injectQueueDepth());
        single("krill_searching_workers", GAUGE, "Workers looking for work to steal now.", m.searchingWorkers());
        single("krill_parked_workers", GAUGE, "Workers asleep now.", m.parkedWorkers());
    }

    private void workers(List<RuntimeMetrics.Worker> workers) {
        perIndex("krill_worker_polls_total", COUNTER, "Task steps the worker ran.", workers,
                RuntimeMetrics.Worker::index, RuntimeMetrics.Worker::polls);
        perIndex("krill_worker_steals_total", COUNTER, "Successful steals by the worker, half of a victim's queue each.",
                workers, RuntimeMetrics.Worker::index, RuntimeMetrics.Worker::steals);
        perIndex("krill_worker_parks_total", COUNTER, "Times the worker went to sleep.", workers,
                RuntimeMetrics.Worker::index, RuntimeMetrics.Worker::parks);
        perIndex("krill_worker_local_queue_depth", GAUGE, "Tasks in the worker's local run queue now.", workers,
                RuntimeMetrics.Worker::index, RuntimeMetrics.Worker::localQueueDepth);
        family("krill_worker_busy_seconds_total", COUNTER,
                "Seconds the worker spent awake (running tasks, polling its shard, searching), not parked.");
        for (RuntimeMetrics.Worker worker : workers) {
            labelled("krill_worker_busy_seconds_total", worker.index());
            seconds(worker.busyNanos());
        }
    }

    private void reactor(RuntimeMetrics.Reactor reactor) {
        List<RuntimeMetrics.Shard> shards = reactor.shards();
        perIndex("krill_reactor_events_total", COUNTER, "Event records the shard's polls returned, wake-ups included.",
                shards, RuntimeMetrics.Shard::index, RuntimeMetrics.Shard::events);
        perIndex("krill_reactor_native_calls_total", COUNTER,
                "Native calls (JNI or JNA crossings) made on the shard's worker thread.", shards,
                RuntimeMetrics.Shard::index, RuntimeMetrics.Shard::nativeCalls);
        perIndex("krill_reactor_ring_high_water", GAUGE, "The most records the shard's event ring held (its largest poll).",
                shards, RuntimeMetrics.Shard::index, RuntimeMetrics.Shard::ringHighWater);
        perIndex("krill_reactor_ring_capacity", GAUGE, "Records the shard's event ring holds.", shards,
                RuntimeMetrics.Shard::index, RuntimeMetrics.Shard::ringCapacity);
        perIndex("krill_reactor_open_connections", GAUGE,
                "Descriptors registered with the shard now: connections and listeners.", shards,
                RuntimeMetrics.Shard::index, RuntimeMetrics.Shard::openConnections);
        single("krill_reactor_slot_high_water", GAUGE, "Connection-table slots ever in use at once.",
                reactor.slotHighWater());
        single("krill_reactor_slot_bytes", GAUGE, "Off-heap bytes held by the connection table's slots.",
                reactor.slotBytes());
        single("krill_reactor_stale_events_total", COUNTER, "Events dropped because their connection had closed.",
                reactor.staleEvents());
    }

    private void blockingPool(RuntimeMetrics.BlockingPool pool) {
        single("krill_blocking_threads", GAUGE, "Threads of the spawnBlocking pool alive now.", pool.threads());
        single("krill_blocking_threads_max", GAUGE, "The most threads the spawnBlocking pool starts.", pool.maxThreads());
        single("krill_blocking_busy", GAUGE, "Blocking bodies running now.", pool.busy());
        single("krill_blocking_queued", GAUGE, "Blocking tasks waiting for a thread now.", pool.queued());
        single("krill_blocking_completed_total", COUNTER, "Blocking bodies that ran to their end.", pool.completed());
    }

    // ---- lines ---------------------------------------------------------------------------

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void single(String name, String type, String help, long value) {
        family(name, type, help);
        out.append(name).append(' ').append(value).append('\n');
    }

    private <T> void perIndex(String name, String type, String help, List<T> items, ToLongFunction<T> index,
                              ToLongFunction<T> value) {
        family(name, type, help);
        for (T item : items) {
            labelled(name, index.applyAsLong(item));
            out.append(value.applyAsLong(item)).append('\n');
        }
    }

    /** {@code name{worker="i"} }, the value to follow. */
    private void labelled(String name, long worker) {
        out.append(name).append("{worker=\"").append(worker).append("\"} ");
    }

    /** Nanoseconds as seconds with nine decimals, exactly: {@code 1500000000} is {@code 1.500000000}. */
    private void seconds(long nanos) {
        long whole = nanos / NANOS_PER_SECOND;
        long fraction = nanos % NANOS_PER_SECOND;
        out.append(whole).append('.');
        String digits = Long.toString(fraction);
        for (int pad = digits.length(); pad < 9; pad++) {
            out.append('0');
        }
        out.append(digits).append('\n');
    }

    /** A label value with backslash, double quote and line feed escaped, as the format asks. */
    static String labelValue(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                case '\n' -> escaped.append("\\n");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
