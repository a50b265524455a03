package io.krill;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a runtime's counters, from {@link Runtime#metrics()}. Each counter is written by
 * the one thread that owns it (a worker, or whoever polls a reactor shard) with plain or opaque
 * stores, and read here without stopping anybody: cheap enough to leave on, and together only
 * approximate (a total is the sum of the per-worker values read a moment apart). Every count
 * only grows while the runtime lives; gauges ({@code …Depth}, {@code …Workers}, open
 * connections, busy blocking threads) are values of the moment.
 *
 * <p>The runtime-wide totals are the first components; {@link #perWorker()}, {@link #reactor()}
 * and {@link #blockingPool()} break them down. {@link #toPrometheus()} renders the whole
 * snapshot in Prometheus' text format.
 *
 * @param workers           worker threads
 * @param liveTasks         tasks created and not yet finished
 * @param polls             task steps run, over all workers
 * @param steals            successful steals of half a queue
 * @param parks             times a worker went to sleep
 * @param injectQueueDepth  tasks waiting in the shared queue
 * @param searchingWorkers  workers looking for work to steal now
 * @param parkedWorkers     workers asleep now
 * @param nativeCalls       native calls (JNI or JNA crossings) made on the worker threads: polls,
 *                          reads, writes, accepts, registrations
 * @param ioEvents          event records the workers' polls returned (readiness of a descriptor,
 *                          or a wake-up)
 * @param backend           the native backend the reactor calls: {@code jni} (libkrill's shims),
 *                          {@code jna} (the C library through JNA), or {@code none} when workers
 *                          park without a poller (no backend loads here: tasks and timers only)
 * @param perWorker         each worker's counters, in worker order (index 0 first)
 * @param reactor           the reactor's connection table and each shard's counters
 *                          ({@link Reactor#NONE} without a poller)
 * @param blockingPool      the {@code spawnBlocking} pool
 */
public record RuntimeMetrics(int workers, long liveTasks, long polls, long steals, long parks,
                             int injectQueueDepth, int searchingWorkers, int parkedWorkers, long nativeCalls,
                             long ioEvents, String backend, List<Worker> perWorker, Reactor reactor,
                             BlockingPool blockingPool) {

    public RuntimeMetrics {
        Objects.requireNonNull(backend, "backend");
        perWorker = List.copyOf(perWorker);
        Objects.requireNonNull(reactor, "reactor");
        Objects.requireNonNull(blockingPool, "blockingPool");
    }

    /**
     * The totals alone, as this record was before it had a breakdown: no per-worker entries,
     * {@link Reactor#NONE} and {@link BlockingPool#NONE}. Kept so that code which built the
     * record by hand (a test double, say) still compiles.
     */
    public RuntimeMetrics(int workers, long liveTasks, long polls, long steals, long parks, int injectQueueDepth,
                          int searchingWorkers, int parkedWorkers, long nativeCalls, long ioEvents, String backend) {
        this(workers, liveTasks, polls, steals, parks, injectQueueDepth, searchingWorkers, parkedWorkers, nativeCalls,
                ioEvents, backend, List.of(), Reactor.NONE, BlockingPool.NONE);
    }

    /** Native calls per I/O event: what the fused crossing (#19) is to bring towards 1; NaN before any event. */
    public double nativeCallsPerEvent() {
        return ioEvents == 0 ? Double.NaN : (double) nativeCalls / ioEvents;
    }

    /**
     * This snapshot in the Prometheus text exposition format, version 0.0.4 (serve it with
     * {@code Content-Type: text/plain; version=0.0.4}): every family has its {@code # HELP} and
     * {@code # TYPE} lines, counters end in {@code _total}, per-worker and per-shard samples
     * carry a {@code worker} label, and times are in seconds. Names start with {@code krill_};
     * the families are listed in the README (Observability).
     */
    public String toPrometheus() {
        return PrometheusText.render(this);
    }

    /**
     * One worker's counters.
     *
     * @param index           the worker's index (its thread is named with it)
     * @param polls           task steps it ran
     * @param steals          successful steals it made (half of a victim's queue each)
     * @param parks           times it went to sleep
     * @param localQueueDepth tasks in its local run queue now (its LIFO slot not included), at
     *                        most the queue's capacity
     * @param busyNanos       nanoseconds it spent awake since it started: running tasks, polling
     *                        its reactor shard, searching for work; the rest of its life it was
     *                        parked. Stamped when it parks and wakes, not per task; never more
     *                        than its real busy time (a read that races its wake-up may answer
     *                        a little less), so never more than the time since the runtime was
     *                        built, and never less than an earlier snapshot's
     */
    public record Worker(int index, long polls, long steals, long parks, int localQueueDepth, long busyNanos) {}

    /**
     * The reactor: the connection table all shards share, and each shard (worker {@code i}'s
     * epoll instance is shard {@code i}).
     *
     * @param openConnections descriptors registered now, over all shards: connections, listeners
     *                        and connections being opened, on the Task and the handler API
     * @param slotHighWater   connection-table slots ever in use at once (closed ones are reused
     *                        first, so this is the peak of open registrations, or near it)
     * @param slotBytes       off-heap bytes the table's slots hold (it grows in chunks, never
     *                        shrinks while the runtime lives)
     * @param staleEvents     events dropped because their connection had closed (approximate)
     * @param shards          each shard's counters, in worker order
     */
    public record Reactor(int openConnections, int slotHighWater, long slotBytes, long staleEvents,
                          List<Shard> shards) {

        /** No reactor: a runtime whose workers park without a poller. */
        public static final Reactor NONE = new Reactor(0, 0, 0, 0, List.of());

        public Reactor {
            shards = List.copyOf(shards);
        }
    }

    /**
     * One reactor shard: worker {@code index}'s epoll instance and event ring.
     *
     * @param index           the worker that owns the shard
     * @param events          event records its polls returned (wake-ups included), whoever polled
     *                        it (its owner, or another worker rescuing it from a long task step)
     * @param nativeCalls     native calls (JNI or JNA crossings) made on the owning worker's
     *                        thread: its polls, reads, writes, accepts, registrations (they are
     *                        counted per thread, so a rescuer's poll of this shard counts on its
     *                        own shard)
     * @param ringHighWater   the most records its event ring held (the largest batch one poll
     *                        returned); at most {@code ringCapacity}
     * @param ringCapacity    records the event ring holds: the most one poll returns
     * @param openConnections descriptors registered with this shard now
     */
    public record Shard(int index, long events, long nativeCalls, int ringHighWater, int ringCapacity,
                        int openConnections) {}

    /**
     * The {@code spawnBlocking} pool.
     *
     * @param threads    pool threads alive now (started on demand, retired after the keep-alive)
     * @param maxThreads the most it starts
     * @param busy       blocking bodies running now
     * @param queued     blocking tasks waiting for a thread now
     * @param completed  blocking bodies that ran to their end, with a value or a failure (an
     *                   aborted task that never started is not counted)
     */
    public record BlockingPool(int threads, int maxThreads, int busy, int queued, long completed) {

        /** No pool: only in a record built with the totals alone. */
        public static final BlockingPool NONE = new BlockingPool(0, 0, 0, 0, 0);
    }
}
