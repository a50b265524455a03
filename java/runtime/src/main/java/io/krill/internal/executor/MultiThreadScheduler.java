package io.krill.internal.executor;

import io.krill.internal.metrics.KrillEvents;
import io.krill.internal.metrics.UncaughtFailureEvent;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.task.TaskScheduler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import io.krill.internal.time.Clock;
import io.krill.internal.time.TimerQueue;

/**
 * The shared half of the work-stealing scheduler: the workers, the inject queue, the idle
 * bookkeeping, live-task accounting and shutdown. See the package notes for the algorithm.
 */
public final class MultiThreadScheduler implements TaskScheduler {

    /** Settings, validated by {@code Runtime.Builder}. */
    public record Config(int workers, String threadNamePrefix, int localQueueCapacity, int budget,
                         int globalQueueInterval, Consumer<Throwable> uncaughtExceptionHandler,
                         Clock clock, IntSupplier blockingInFlight, IntFunction<Parker> parkers,
                         IoDriver io) {}

    final Worker[] workers;
    final InjectQueue inject = new InjectQueue();
    final Idle idle;
    final int budget;
    final int globalQueueInterval;
    final Clock clock;
    final IoDriver io;
    private final IntSupplier blockingInFlight;

    private final WorkerThread[] threads;
    private final Consumer<Throwable> uncaught;
    /** Live tasks created or finished off this runtime's workers; each worker counts its own. */
    private final LongAdder liveOffWorker = new LongAdder();
    /**
     * Tasks that went idle waiting for a wake and outgrew their worker's {@link RecentWaiters}
     * (or went idle off a worker): cancelled, with the workers' recent ones, at shutdown.
     */
    private final Set<ScheduledTask<?>> waiting = ConcurrentHashMap.newKeySet();
    private final CountDownLatch exited;
    private volatile boolean accepting = true;
    private volatile boolean stopped;
    /** Set by {@link #start} before any worker starts; read by each worker as it starts. */
    private Runnable onWorkerStart;

    public MultiThreadScheduler(Config config) {
        this.budget = config.budget();
        this.globalQueueInterval = config.globalQueueInterval();
        this.uncaught = config.uncaughtExceptionHandler();
        this.clock = config.clock();
        this.blockingInFlight = config.blockingInFlight();
        this.io = config.io();
        this.idle = new Idle(config.workers());
        this.workers = new Worker[config.workers()];
        this.threads = new WorkerThread[config.workers()];
        this.exited = new CountDownLatch(config.workers());
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, this, config.localQueueCapacity(), config.parkers().apply(i));
            threads[i] = new WorkerThread(workers[i], config.threadNamePrefix() + i);
        }
    }

    /** A parker on {@link java.util.concurrent.locks.LockSupport}: for platforms without a native one. */
    public static Parker threadParker() {
        return new ThreadParker();
    }

    /**
     * Starts the worker threads; each runs {@code onWorkerStart} first, on itself (how the
     * owner marks its threads as its own without the executor knowing the owner's type).
     */
    public void start(Runnable onWorkerStart) {
        this.onWorkerStart = onWorkerStart;
        for (WorkerThread thread : threads) {
            thread.start(); // happens-before: the thread sees onWorkerStart
        }
    }

    void workerStarted() {
        onWorkerStart.run();
    }

    /** The runtime's I/O driver (the connection table), or {@link IoDriver#NONE} without native I/O. */
    public IoDriver io() {
        return io;
    }

    boolean isStopped() {
        return stopped;
    }

    /** False once shutdown began: spawning is refused (wakes of existing tasks still run). */
    public boolean isAccepting() {
        return accepting;
    }

    // ---- TaskScheduler ---------------------------------------------------------------------

    @Override
    public void schedule(ScheduledTask<?> task, boolean yielded) {
        if (stopped) {
            task.cancelQueued(); // too late to run: the workers are gone or going
            return;
        }
        WorkerThread current = WorkerThread.current();
        if (current != null && current.worker().scheduler() == this) {
            current.worker().scheduleLocal(task, yielded);
        } else {
            inject.push(task);
            if (stopped) {
                // Shutdown set 'stopped' before draining the inject queue; a push that lands
                // after that drain sees it here and cancels what nobody will run.
                cancelInjected();
            } else {
                notifyParked();
            }
        }
    }

    private void cancelInjected() {
        for (ScheduledTask<?> task = inject.pop(); task != null; task = inject.pop()) {
            task.cancelQueued();
        }
    }

    /** This runtime's worker running on the calling thread, or null. */
    private Worker currentWorker() {
        WorkerThread current = WorkerThread.current();
        return current != null && current.worker().scheduler() == this ? current.worker() : null;
    }

    @Override
    public void taskCreated() {
        Worker worker = currentWorker();
        if (worker != null) {
            worker.countLive(1);
        } else {
            liveOffWorker.increment();
        }
    }

    @Override
    public void taskFinished(ScheduledTask<?> task, Throwable failureOrNull) {
        if (!task.isService()) {
            Worker worker = currentWorker();
            if (worker != null) {
                worker.countLive(-1);
            } else {
                liveOffWorker.decrement();
            }
        }
        if (task.isSharedWaiter()) {
            // Only a task that was shared: the others were in a worker's RecentWaiters at most,
            // which forgets finished tasks by itself. A remove for every task that ever waited
            // cost an identity hash and a hash-map lookup per finish (10 % of ping-pong).
            waiting.remove(task);
        }
        if (failureOrNull != null && !(failureOrNull instanceof CancellationException) && task.reportsUncaught()) {
            uncaught(failureOrNull);
        }
    }

    @Override
    public void uncaught(Throwable failure) {
        if (KrillEvents.failures) {
            UncaughtFailureEvent.record(failure); // JFR: the worker goes on, the recording keeps it
        }
        try {
            uncaught.accept(failure);
        } catch (Throwable hookFailure) {
            // The hook must not kill the worker that completed the task; say so once per failure.
            try {
                org.slf4j.LoggerFactory.getLogger(MultiThreadScheduler.class).error("uncaught-exception handler threw",
                        hookFailure);
            } catch (Throwable logFailure) {
                // Logging failed too (out of descriptors, say): nothing is left to report through,
                // and throwing would take the worker down with it.
            }
        }
    }

    @Override
    public void taskWaiting(ScheduledTask<?> task) {
        Worker worker = currentWorker();
        if (worker == null) {
            share(task);
        } else if (!worker.waiters.offer(task)) {
            worker.waiters.drainTo(this::share); // all still waiting: long waits go to the shared set
            worker.waiters.offer(task);
        }
    }

    /** Registers a waiting task in the shared set, where its finish finds it. */
    void share(ScheduledTask<?> task) {
        task.markSharedWaiter(); // before the add: a finish that misses the flag is seen by the recheck below
        waiting.add(task);
        if (task.isDone() || task.isRetired()) {
            waiting.remove(task); // it finished (or retired) before it was added: taskFinished missed it
        }
    }

    // ---- waking workers --------------------------------------------------------------------

    void notifyParked() {
        int index = idle.workerToNotify();
        if (index >= 0) {
            workers[index].parker.unpark();
        }
    }

    void notifyIfWorkPending() {
        for (Worker worker : workers) {
            if (!worker.queue.isEmpty()) {
                notifyParked();
                return;
            }
        }
        if (!inject.isEmpty()) {
            notifyParked();
        }
    }

    // ---- time ------------------------------------------------------------------------------

    public Clock clock() {
        return clock;
    }

    /**
     * Paused clock only: when every worker is parked, nothing is queued and no blocking work
     * runs, moves time to the earliest timer of any worker and wakes the workers to fire it.
     *
     * @return true if time moved
     */
    boolean tryAutoAdvance() {
        if (!(clock instanceof Clock.PausedClock paused)) {
            return false;
        }
        if (idle.parkedWorkers() != workers.length || !inject.isEmpty() || blockingInFlight.getAsInt() > 0) {
            return false;
        }
        long earliest = TimerQueue.NEVER;
        for (Worker worker : workers) {
            earliest = Math.min(earliest, worker.timers.publishedDeadlineNanos());
        }
        if (earliest == TimerQueue.NEVER) {
            return false; // nothing will ever happen by itself: sleep until outside work comes
        }
        paused.advanceTo(earliest);
        wakeAllForTimers();
        return true;
    }

    /** Takes every parked worker off the sleeper stack and wakes it to fire its due timers. */
    public void wakeAllForTimers() {
        for (Worker worker : workers) {
            if (idle.unparkSpecific(worker.index)) {
                worker.parker.unpark();
            }
        }
    }

    void workerExited() {
        exited.countDown();
    }

    // ---- accounting and shutdown -------------------------------------------------------------

    /**
     * Tasks created and not yet finished: the workers' own counts and the off-worker one, read
     * one after another, as {@link LongAdder#sum} reads its cells. Exact while nothing moves;
     * while a task finishes on one worker and a task it created counts on another, a read can
     * miss the pair's difference, so shutdown takes a zero only when a second read agrees.
     */
    public long liveTasks() {
        long sum = liveOffWorker.sum();
        for (Worker worker : workers) {
            sum += worker.liveCount();
        }
        return sum;
    }

    /** No live task, read twice: see {@link #liveTasks}. */
    private boolean settled() {
        return liveTasks() == 0 && liveTasks() == 0;
    }

    /** Refuses new spawns from now on. */
    public void stopAccepting() {
        accepting = false;
    }

    /**
     * Waits for live tasks to finish until {@code deadlineNanos}, then stops the workers, cancels
     * every task still queued or waiting, and joins the threads.
     *
     * @return true when every task had finished by itself before the deadline
     */
    public boolean shutdown(long deadlineNanos) throws InterruptedException {
        stopAccepting();
        boolean clean = settled();
        while (!clean && System.nanoTime() < deadlineNanos) {
            TimeUnit.MILLISECONDS.sleep(1); // guess: 1 ms is short against any useful deadline
            clean = settled();
        }
        stopped = true;
        for (Worker worker : workers) {
            worker.parker.unpark();
        }
        long leftNanos = Math.max(deadlineNanos - System.nanoTime(), 0) + Duration.ofSeconds(1).toNanos();
        if (!exited.await(leftNanos, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("a Krill worker did not stop: a task step has been running past the"
                    + " shutdown deadline (steps must not block; use spawnBlocking)");
        }
        for (Worker worker : workers) {
            for (ScheduledTask<?> task = worker.drainOne(); task != null; task = worker.drainOne()) {
                task.cancelQueued();
            }
        }
        cancelInjected();
        for (Worker worker : workers) {
            worker.waiters.drainTo(ScheduledTask::cancel); // the thread has ended: its array is ours
        }
        for (ScheduledTask<?> task : waiting) {
            task.cancel();
        }
        waiting.clear();
        for (Worker worker : workers) {
            worker.parker.close(); // the threads have ended: nobody parks in it any more
        }
        return clean;
    }

    // ---- metrics: racy reads of counters each worker writes alone (see Worker) ---------------

    /** Task steps worker {@code index} ran. */
    public long polls(int index) {
        return workers[index].polls();
    }

    /** Successful steals by worker {@code index} (half a victim's queue each). */
    public long steals(int index) {
        return workers[index].steals();
    }

    /** Times worker {@code index} went to sleep. */
    public long parks(int index) {
        return workers[index].parks();
    }

    /**
     * Tasks in worker {@code index}'s local queue now (its LIFO slot not included): a snapshot
     * of two indices read one after the other, kept within [0, capacity].
     */
    public int localQueueDepth(int index) {
        LocalQueue queue = workers[index].queue;
        return Math.clamp(queue.size(), 0, queue.capacity());
    }

    /** Nanoseconds worker {@code index} has been awake (not parked) since it started. */
    public long busyNanos(int index) {
        return workers[index].busyNanos();
    }

    /** Native calls (JNI or JNA crossings) made on worker {@code index}'s thread. */
    public long nativeCalls(int index) {
        return threads[index].crossings();
    }

    public int workerCount() {
        return workers.length;
    }

    public int injectQueueSize() {
        return inject.size();
    }

    public int searchingWorkers() {
        return idle.searchingWorkers();
    }

    public int parkedWorkers() {
        return idle.parkedWorkers();
    }
}
