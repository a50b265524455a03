package io.krill.internal.executor;

import io.krill.internal.metrics.KrillEvents;
import io.krill.internal.metrics.SlowPollEvent;
import io.krill.internal.metrics.TaskStealEvent;
import io.krill.internal.metrics.WorkerParkEvent;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.time.Clock;
import io.krill.internal.time.TimerQueue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker: its loop, local queue, LIFO slot and search state. Every field but the metric
 * counters is touched only by the worker's own thread (the shutdown path reads the queue after
 * joining the thread). Counters are written with opaque stores and read by {@code metrics()};
 * busy time is stamped at park and wake only ({@link BusyClock}).
 */
final class Worker implements Runnable {

    /**
     * How often a parked worker looks in on awake ones whose shards may be stuck behind a long
     * step (guess: the SlowPoll event's threshold; a stuck shard's events wait at most about this).
     */
    static final long RESCUE_INTERVAL_NANOS = 10_000_000;
    /**
     * The longest a busy worker goes without looking at its reactor shard: besides every
     * {@code globalQueueInterval} ticks (Tokio's rule, which assumes short steps), it polls once
     * this much time has passed, checked every {@value #POLL_CLOCK_TICKS} ticks. Measured: a
     * handler driver accepting a burst of 15,000 connections kept itself runnable with steps of
     * milliseconds, so 61 ticks took over 100 ms and a ready connection waited that long to be
     * seen (#12's fault runs). Guess at the size: a tenth of the slow-poll threshold.
     */
    static final long MAX_POLL_GAP_NANOS = 1_000_000;
    /** Ticks between clock reads for {@link #MAX_POLL_GAP_NANOS} (a clock read costs about 20 ns; most steps cost more). */
    static final int POLL_CLOCK_TICKS = 4;
    /** LIFO-slot tasks run in a row before the slot is flushed to the queue (Tokio's value). */
    static final int MAX_LIFO_POLLS = 3;

    /**
     * Search rounds a worker spins through before it parks. While it searches, whoever queues
     * work skips the wake-up syscall (a searcher will find the task), so a short spin turns a
     * futex wake per burst into none. Measured with RuntimeBenchmark.spawnMany: see the
     * executor issue's note. Guess at the size: a few microseconds of spinning.
     */
    static final int SPIN_ROUNDS = 64;

    /**
     * Idle tasks a worker keeps in its own {@link RecentWaiters} before the ones still waiting
     * move to the shared set (guess: more than a burst of quick waits, few enough that a sweep
     * of finished ones is short).
     */
    static final int RECENT_WAITERS = 64;
    /**
     * The longest a parked worker sleeps while its {@link RecentWaiters} holds tasks: then it
     * sweeps out those that finished elsewhere meanwhile and moves the rest, waiting for a whole
     * park by now, to the shared set, and sleeps on with an empty array (guess: long against a
     * burst's gaps, short enough that a finished task and its result are not held for long).
     */
    static final long WAITERS_PARK_NANOS = 50_000_000;

    private static final VarHandle POLLS;
    private static final VarHandle STEALS;
    private static final VarHandle PARKS;
    private static final VarHandle LIVE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            POLLS = lookup.findVarHandle(Worker.class, "polls", long.class);
            STEALS = lookup.findVarHandle(Worker.class, "steals", long.class);
            PARKS = lookup.findVarHandle(Worker.class, "parks", long.class);
            LIVE = lookup.findVarHandle(Worker.class, "live", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    final LocalQueue queue;
    final Parker parker;
    /** Other workers' poll counts when this one last looked (rescueStuckShards); owner only. */
    private long[] seenPolls;
    final TimerQueue timers;
    private final MultiThreadScheduler shared;

    private ScheduledTask<?> lifo;
    private boolean searching;
    private int tick;
    private long lastIoPoll; // System.nanoTime of the last look at the reactor, busy or parked
    private int budget;
    private int random;

    private long polls;  // opaque: tasks run
    private long steals; // opaque: successful steals
    private long parks;  // opaque: times parked
    private long live;   // opaque: tasks created on this worker minus tasks finished on it
    /** Tasks that went idle on this worker, for shutdown to cancel (see MultiThreadScheduler#taskWaiting). */
    final RecentWaiters waiters = new RecentWaiters(RECENT_WAITERS);
    /** Awake time against parked time; stamped by this worker at park and wake, read by metrics. */
    private final BusyClock busy = new BusyClock();

    Worker(int index, MultiThreadScheduler shared, int queueCapacity, Parker parker) {
        this.index = index;
        this.shared = shared;
        this.queue = new LocalQueue(queueCapacity);
        this.parker = parker;
        this.timers = new TimerQueue(shared.clock);
        this.random = 0x9E3779B9 * (index + 1); // any non-zero seed
    }

    MultiThreadScheduler scheduler() {
        return shared;
    }

    boolean tryConsumeBudget() {
        if (budget > 0) {
            budget--;
            return true;
        }
        return false;
    }

    /** A wake on this worker's own thread: LIFO slot for fresh wakes, queue tail for yields. */
    void scheduleLocal(ScheduledTask<?> task, boolean yielded) {
        if (yielded) {
            queue.pushBack(task, shared.inject);
        } else {
            ScheduledTask<?> previous = lifo;
            lifo = task;
            if (previous == null) {
                return; // the slot runs next on this worker: nothing for others to pick up
            }
            queue.pushBack(previous, shared.inject);
        }
        shared.notifyParked();
    }

    @Override
    public void run() {
        shared.workerStarted();
        if (parker instanceof ThreadParker threadParker) {
            threadParker.bind(Thread.currentThread());
        }
        timers.bindOwner(Thread.currentThread());
        busy.resume(System.nanoTime());
        try {
            while (!shared.isStopped()) {
                try {
                    turn();
                } catch (Throwable t) {
                    // DESIGN: workers never die. A failure outside any task step (a timer's or an
                    // event's waker, the reactor's dispatch) is reported, and the loop goes on:
                    // a dead worker would strand its queue, its timers and its reactor shard.
                    shared.uncaught(t);
                }
            }
        } finally {
            busy.pause(System.nanoTime()); // an ended worker is not busy
            shared.workerExited();
        }
    }

    /**
     * Fires due timers. A waker that throws (a bug: wakers must not) is reported and the worker
     * goes on; the wheel has fired the others due with it first. Caught here, where the
     * worker's own state (its idle registration while parked) is consistent, not only in
     * {@link #run}.
     */
    private int processTimers() {
        try {
            return timers.process();
        } catch (RuntimeException | Error e) {
            shared.uncaught(e);
            return 1; // it woke something, or tried: look for work
        }
    }

    /** A non-blocking look at the reactor; a failing event waker is reported, as in {@link #processTimers}. */
    private void pollNow() {
        try {
            parker.pollNow();
        } catch (RuntimeException | Error e) {
            shared.uncaught(e);
        }
    }

    /** Parks in the reactor; a failing event waker is reported, as in {@link #processTimers}. */
    private void parkReporting(long timeoutNanos) {
        try {
            parker.park(timeoutNanos);
        } catch (RuntimeException | Error e) {
            shared.uncaught(e);
        }
    }

    /** One turn of the worker loop: the poll and timers when due, then one task or a park. */
    private void turn() {
        tick++;
        boolean pollDue = tick % shared.globalQueueInterval == 0;
        if (!pollDue && tick % POLL_CLOCK_TICKS == 0) {
            pollDue = System.nanoTime() - lastIoPoll > MAX_POLL_GAP_NANOS; // long steps: look by time too
        }
        if ((tick & (RecentWaiters.SWEEP_TICKS - 1)) == 0) {
            waiters.sweep(); // finished tasks are not held for long by a busy worker either
        }
        if (pollDue) {
            processTimers(); // a busy worker still fires its timers
            if (shared.io.hasRegistrations()) {
                pollNow(); // and sees its I/O (one non-blocking epoll_wait)
            }
            lastIoPoll = System.nanoTime();
        }
        ScheduledTask<?> task = nextTask();
        if (task == null && processTimers() > 0) {
            task = nextTask(); // fired timers woke tasks onto this worker
        }
        if (task == null) {
            task = stealWork();
        }
        for (int spin = 0; task == null && searching && spin < SPIN_ROUNDS; spin++) {
            Thread.onSpinWait();
            task = stealWork();
        }
        if (task != null) {
            runTask(task);
        } else {
            park();
        }
    }

    private ScheduledTask<?> nextTask() {
        if (lifo != null) { // woken by a timer this worker fired outside a task step
            ScheduledTask<?> task = lifo;
            lifo = null;
            return task;
        }
        if (tick % shared.globalQueueInterval == 0) {
            ScheduledTask<?> task = shared.inject.pop(); // fairness: outside work is never starved
            if (task != null) {
                return task;
            }
        }
        ScheduledTask<?> task = queue.pop();
        return task != null ? task : takeFromInject();
    }

    /**
     * Takes a batch from the shared queue into the local one (one lock for many tasks, as
     * Tokio does): this worker's fair share, at most half the local capacity. Returns one.
     */
    private ScheduledTask<?> takeFromInject() {
        int wanted = Math.min(queue.capacity() / 2, shared.inject.size() / shared.workers.length + 1);
        return shared.inject.popInto(queue, wanted);
    }

    private void runTask(ScheduledTask<?> task) {
        transitionFromSearching();
        poll(task);
        int lifoPolls = 0;
        while (lifo != null) {
            ScheduledTask<?> next = lifo;
            lifo = null;
            if (lifoPolls++ >= MAX_LIFO_POLLS || shared.isStopped()) {
                // Cap reached: let the queue have its turn. No wake-up here (as in Tokio): the
                // task only moved within this worker, which is awake and will run it.
                queue.pushBack(next, shared.inject);
                return;
            }
            poll(next);
        }
    }

    private void poll(ScheduledTask<?> task) {
        budget = shared.budget;
        POLLS.setOpaque(this, polls + 1);
        if (KrillEvents.slowPolls) {
            pollRecorded(task);
        } else {
            task.run();
        }
        if (timers.hasPending()) {
            timers.flush(); // timers created by the step enter the wheel only now
        }
    }

    TimerQueue timers() {
        return timers;
    }

    /** A poll timed for the SlowPoll event (JFR commits it only past the event's threshold). */
    private void pollRecorded(ScheduledTask<?> task) {
        String what = task.describe(); // before the run: a finished task may have dropped its body
        SlowPollEvent event = new SlowPollEvent();
        event.begin();
        task.run();
        event.end();
        if (event.shouldCommit()) {
            event.task = what;
            event.worker = index;
            event.commit();
        }
    }

    private ScheduledTask<?> stealWork() {
        if (!searching) {
            searching = shared.idle.transitionWorkerToSearching();
            if (!searching) {
                return null;
            }
        }
        Worker[] workers = shared.workers;
        int n = workers.length;
        int start = nextRandom(n);
        for (int i = 0; i < n; i++) {
            Worker victim = workers[(start + i) % n];
            if (victim == this) {
                continue;
            }
            ScheduledTask<?> task = victim.queue.stealInto(queue);
            if (task != null) {
                STEALS.setOpaque(this, steals + 1);
                if (KrillEvents.steals) {
                    TaskStealEvent event = new TaskStealEvent();
                    event.worker = index;
                    event.victim = victim.index;
                    event.commit();
                }
                return task;
            }
        }
        return takeFromInject();
    }

    private void transitionFromSearching() {
        if (!searching) {
            return;
        }
        searching = false;
        if (shared.idle.transitionWorkerFromSearching()) {
            shared.notifyParked(); // we were the last searcher: let another look for more work
        }
    }

    private boolean hasTasks() {
        return lifo != null || !queue.isEmpty();
    }

    private void park() {
        if (hasTasks()) {
            return;
        }
        waiters.sweep(); // a parked worker holds no task that finished before it parked
        boolean lastSearcher = shared.idle.transitionWorkerToParked(index, searching);
        searching = false;
        if (lastSearcher) {
            shared.notifyIfWorkPending();
        }
        Clock clock = shared.clock;
        boolean holdsWaiters = false;
        long parkedAt = 0;
        while (!shared.isStopped()) {
            long nextDeadline = timers.publishNextDeadline(); // before the idle check below reads it
            boolean advanced = clock.isPaused() && shared.tryAutoAdvance();
            if (!advanced) {
                long timeoutNanos = -1;
                if (!clock.isPaused() && nextDeadline != TimerQueue.NEVER) {
                    timeoutNanos = Math.max(0, nextDeadline - clock.nowNanos());
                }
                boolean othersAwake = shared.idle.parkedWorkers() < shared.workers.length;
                if (othersAwake && shared.io.hasRegistrations()
                        && (timeoutNanos < 0 || timeoutNanos > RESCUE_INTERVAL_NANOS)) {
                    timeoutNanos = RESCUE_INTERVAL_NANOS; // look in on them soon (rescueStuckShards)
                }
                holdsWaiters = waiters.size() > 0;
                if (holdsWaiters && (timeoutNanos < 0 || timeoutNanos > WAITERS_PARK_NANOS)) {
                    timeoutNanos = WAITERS_PARK_NANOS;
                }
                PARKS.setOpaque(this, parks + 1);
                parkedAt = System.nanoTime();
                busy.pause(parkedAt);
                if (KrillEvents.parks) {
                    WorkerParkEvent event = new WorkerParkEvent();
                    event.begin();
                    parkReporting(timeoutNanos);
                    event.end();
                    if (event.shouldCommit()) {
                        event.worker = index;
                        event.timeout = timeoutNanos;
                        event.commit();
                    }
                } else {
                    parkReporting(timeoutNanos);
                }
            }
            long awakeNanos = System.nanoTime();
            lastIoPoll = awakeNanos; // the park was a poll (epoll_wait with a timeout)
            if (!advanced) {
                busy.resume(awakeNanos);
                if (holdsWaiters && awakeNanos - parkedAt >= WAITERS_PARK_NANOS) {
                    waiters.sweep();
                    waiters.drainTo(shared::share); // still waiting after a whole park: long waits
                }
            }
            processTimers();
            if (!hasTasks() && shared.io.hasRegistrations()) {
                rescueStuckShards();
            }
            if (hasTasks()) {
                searching = !shared.idle.unparkWorkerById(index);
                return;
            }
            if (!shared.idle.isParked(index)) {
                searching = true; // whoever chose us marked us searching
                return;
            }
        }
        shared.idle.unparkWorkerById(index);
    }

    /**
     * DESIGN: events must not wait behind a long task. An awake worker whose poll count has not
     * moved since this worker last looked (at least one park ago, {@value #RESCUE_INTERVAL_NANOS}
     * ns at most) is in one long step; its shard is polled from here, and the tasks that wakes
     * (connection drivers, readers) queue on this worker, which then runs or lends them.
     */
    private void rescueStuckShards() {
        Worker[] workers = shared.workers;
        if (seenPolls == null) {
            seenPolls = new long[workers.length];
        }
        for (Worker other : workers) {
            if (other == this) {
                continue;
            }
            long polls = other.polls();
            if (polls == seenPolls[other.index] && !shared.idle.isParked(other.index)) {
                try {
                    other.parker.pollForeign();
                } catch (RuntimeException | Error e) {
                    shared.uncaught(e); // a waker of the rescued shard failed: see processTimers
                }
            }
            seenPolls[other.index] = polls;
        }
    }

    private int nextRandom(int bound) {
        int x = random; // xorshift32
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        random = x;
        return Math.floorMod(x, bound);
    }

    long polls() {
        return (long) POLLS.getOpaque(this);
    }

    long steals() {
        return (long) STEALS.getOpaque(this);
    }

    long parks() {
        return (long) PARKS.getOpaque(this);
    }

    /** Adds {@code delta} to the live tasks counted on this worker; its own thread only. */
    void countLive(long delta) {
        LIVE.setOpaque(this, live + delta);
    }

    /** Tasks created on this worker minus tasks finished on it (either may be the larger); any thread. */
    long liveCount() {
        return (long) LIVE.getOpaque(this);
    }

    /** Nanoseconds this worker spent awake (not parked) since it started; any thread. */
    long busyNanos() {
        return busy.busyNanos();
    }

    /** After the thread ended: hands back every queued task (for cancellation). */
    ScheduledTask<?> drainOne() {
        if (lifo != null) {
            ScheduledTask<?> task = lifo;
            lifo = null;
            return task;
        }
        return queue.pop();
    }
}
