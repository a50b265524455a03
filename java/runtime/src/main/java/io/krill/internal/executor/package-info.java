/**
 * The multi-thread, work-stealing scheduler, after Tokio's {@code scheduler/multi_thread}.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Queues.</b> Each {@link io.krill.internal.executor.Worker} owns a fixed-capacity
 * {@link io.krill.internal.executor.LocalQueue} (only it pushes and pops; thieves take half in one
 * CAS) and a LIFO slot for the task it just woke, run next for locality but at most
 * {@code MAX_LIFO_POLLS} times in a row. Work from other threads, and a local queue's overflow,
 * goes to the shared {@link io.krill.internal.executor.InjectQueue}, which every worker checks
 * first once every {@code globalQueueInterval} ticks so that it is never starved.
 *
 * <p><b>Searching and parking</b> ({@link io.krill.internal.executor.Idle}). A worker out of
 * work becomes a searcher (at most half of the workers at once) and steals from random victims.
 * Whoever queues work wakes a parked worker only when nobody is searching: a searcher will find
 * it. A searcher that finds work and was the last one wakes another, so work spreads; the last
 * searcher to park re-checks every queue after publishing that it parks, so a task queued while
 * it was giving up is never stranded (the push and the re-check are ordered by the volatile
 * state word and the inject queue's lock).
 *
 * <p><b>Parking</b> goes through {@link io.krill.internal.executor.Parker}: with native I/O the
 * reactor's {@code EpollParker} parks a worker inside {@code epoll_wait}, else a
 * {@code LockSupport} parker is used. The executor knows the reactor only through
 * {@link io.krill.internal.executor.IoDriver} (is anything registered?), and tasks know their
 * worker only through {@code io.krill.internal.task.WorkerContext}, which
 * {@link io.krill.internal.executor.WorkerThread} implements.
 *
 * <p><b>Budget.</b> A task step may complete at most {@code budget} ready awaits before it must
 * yield ({@link io.krill.internal.executor.WorkerThread#tryConsumeBudget()}).
 *
 * <p><b>Metrics.</b> Each counter has one writer: a worker's polls, steals and parks are its
 * own fields, stored opaque (no atomic read-modify-write: the owner adds to the value it last
 * wrote); its native calls are its thread's; its busy time is a
 * {@link io.krill.internal.executor.BusyClock} stamped at park and wake only (the events a
 * park's poll dispatches, one waker call each, fall in the parked time). {@code metrics()} reads
 * them all from another thread without stopping anyone, so a snapshot is approximate, but a
 * counter never goes backwards between two snapshots. The blocking pool counts with atomics,
 * one per blocking task, against a thread hand-off per task.
 */
package io.krill.internal.executor;
