package io.krill.internal.executor;

import io.krill.internal.task.ScheduledTask;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One worker's part of the scheduler's waiting registry: the tasks that went idle on it, kept
 * so that shutdown can cancel those still waiting. Owner thread only (and the shutdown thread
 * once the owner has ended).
 *
 * <p>DESIGN: most tasks that wait are woken and finish soon after (a reply, a lock, a read).
 * Registering each in one shared set cost a hash node, a hash and the set's shared size counter
 * per wait and again per finish, from both cores: about 40 % of {@code RuntimeBenchmark.pingPong}
 * (#19). Here a wait is one array store on its own worker, and a finish is nothing. The array
 * is swept of finished tasks when it fills, before its worker parks and every
 * {@link #SWEEP_TICKS} ticks; a worker that parks with tasks in it wakes after
 * {@link Worker#WAITERS_PARK_NANOS} to sweep again and move the rest out. So at most
 * {@code capacity} finished tasks (and their results) per worker outlive their use, and only
 * that long. The tasks still waiting when a sweep leaves the array full, or after such a
 * park, move to the shared set ({@link MultiThreadScheduler#share}): long waits (idle
 * connections, far timers) end up there, and their finish takes them out of it.
 */
final class RecentWaiters {

    /**
     * Ticks between sweeps of a worker that neither fills its array nor parks (guess: a few
     * milliseconds of short steps; the check is one bit test per tick).
     */
    static final int SWEEP_TICKS = 1 << 12;

    private final ScheduledTask<?>[] tasks;
    private int size;

    RecentWaiters(int capacity) {
        this.tasks = new ScheduledTask<?>[capacity];
    }

    /**
     * Records a task that just went idle; false when the array holds only tasks still waiting
     * (then nothing was recorded: the caller moves them out with {@link #drainTo} and retries).
     */
    boolean offer(ScheduledTask<?> task) {
        if (size == tasks.length) {
            sweep();
            if (size == tasks.length) {
                return false;
            }
        }
        tasks[size++] = task;
        return true;
    }

    /** Drops the tasks that finished (or retired, see {@link ScheduledTask#isRetired}) since they went idle. */
    void sweep() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            ScheduledTask<?> task = tasks[i];
            if (!task.isDone() && !task.isRetired()) {
                tasks[kept++] = task;
            }
        }
        Arrays.fill(tasks, kept, size, null);
        size = kept;
    }

    /** Hands every recorded task to {@code sink}, finished or not, and empties the array. */
    void drainTo(Consumer<ScheduledTask<?>> sink) {
        int n = size;
        size = 0;
        for (int i = 0; i < n; i++) {
            ScheduledTask<?> task = tasks[i];
            tasks[i] = null;
            sink.accept(task);
        }
    }

    int size() {
        return size;
    }
}
