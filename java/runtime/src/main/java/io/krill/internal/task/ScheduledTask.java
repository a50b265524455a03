package io.krill.internal.task;

import io.krill.JoinHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A task that runs on a scheduler: the waker is the task itself, and one state word decides
 * who may run it.
 *
 * <pre>
 * | unused  | WAITING | COMPLETE | NOTIFIED | RUNNING |
 * | 28 bits |  1 bit  |  1 bit   |  1 bit   |  1 bit  |
 * </pre>
 *
 * <ul>
 *   <li>NOTIFIED: the task is in a queue, or is being put in one. Only the thread whose CAS set
 *       it (from idle) pushes the task, so it is queued at most once.</li>
 *   <li>RUNNING: a worker is running a step. The worker's CAS from NOTIFIED to RUNNING is the
 *       lock that keeps two workers from running it at once. A wake while RUNNING only sets
 *       NOTIFIED; the worker re-queues the task when the step returns, so the wake is not
 *       lost.</li>
 *   <li>COMPLETE: the result is set and the task will never run again; wakes are ignored.</li>
 *   <li>WAITING: the task has gone idle once and was reported to the scheduler (for shutdown).</li>
 * </ul>
 *
 * The result itself may be set by {@link #cancel()} from any thread at any time (the result
 * CAS decides); the state word then reaches COMPLETE through whichever thread holds the task:
 * the running worker, the worker that pops it, or the canceller when it is idle.
 *
 * @param <T> the result type
 */
public abstract non-sealed class ScheduledTask<T> extends AbstractTask<T> implements JoinHandle<T>, Waker {

    static final int RUNNING = 1;
    static final int NOTIFIED = 1 << 1;
    static final int COMPLETE = 1 << 2;
    static final int WAITING = 1 << 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ScheduledTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private final TaskScheduler scheduler;
    private final boolean service;
    /**
     * The tracing span current where this task was made (none for a service task, which serves
     * whoever comes and must not log under the span of the task that started it): current,
     * with its MDC entries, during each of this task's steps. See {@link TaskSpan}.
     */
    private final TaskSpan span;
    /** Set by the running step to run again after the queue; only the running thread uses it. */
    private boolean yieldRequested;

    /**
     * Intrusive link for the scheduler's inject queue; written and read only under that queue's
     * lock, so plain.
     */
    private ScheduledTask<?> nextInjected;


    /** The inject queue's link (see the field); for {@code InjectQueue} only. */
    public final ScheduledTask<?> nextInjected() {
        return nextInjected;
    }

    public final void nextInjected(ScheduledTask<?> next) {
        this.nextInjected = next;
    }

    protected ScheduledTask(TaskScheduler scheduler) {
        this(scheduler, false);
    }

    /**
     * @param notified create the task already NOTIFIED, for a caller that queues it at once
     *                 (spawn); the queue push publishes it to the worker that pops it
     */
    protected ScheduledTask(TaskScheduler scheduler, boolean notified) {
        this(scheduler, notified, false);
    }

    /**
     * @param service a task that serves for as long as something else lives (a server's
     *                connection driver): not counted among the live tasks that a graceful
     *                shutdown waits for; shutdown cancels it with the other waiting tasks
     */
    @SuppressWarnings("this-escape") // only the VarHandle sees 'this': a plain store, nothing leaks
    protected ScheduledTask(TaskScheduler scheduler, boolean notified, boolean service) {
        this.scheduler = scheduler;
        this.service = service;
        this.span = service ? null : TaskSpan.inherited();
        if (notified) {
            // Plain: the queue push (a release) or the CAS of whoever wakes it publishes the task.
            STATE.set(this, NOTIFIED);
        }
        if (!service) {
            scheduler.taskCreated();
        }
    }

    /** What this task runs, for diagnostics (the JFR slow-poll event): its body's class by default. */
    public String describe() {
        return getClass().getName();
    }

    /** True for a service task (see the constructor): not counted as live. */
    public final boolean isService() {
        return service;
    }

    public final TaskScheduler scheduler() {
        return scheduler;
    }

    /** Runs one step: set the result, or arrange a wake (or wake itself to yield). */
    protected abstract void step() throws Throwable;

    /** Fails the task when a step throws. */
    protected void stepFailed(Throwable error) {
        completeFailure(error);
    }

    // ---- waking --------------------------------------------------------------------------

    @Override
    public final void wake() {
        for (;;) {
            int s = state;
            if ((s & (COMPLETE | NOTIFIED)) != 0) {
                return; // finished, or already queued / marked for re-queue
            }
            if (STATE.compareAndSet(this, s, s | NOTIFIED)) {
                if ((s & RUNNING) == 0) {
                    scheduler.schedule(this, false); // we own the push
                }
                return; // else the running worker re-queues it (see run)
            }
        }
    }

    /**
     * During a step: run again after the queued tasks. Only the thread running the step calls
     * this, so a plain flag suffices; {@link #run()} turns it into NOTIFIED with the same CAS
     * that clears RUNNING (one atomic operation per yield instead of two).
     */
    protected final void wakeSelf() {
        yieldRequested = true;
    }

    // ---- running (worker side) --------------------------------------------------------------

    /**
     * Runs one step of a NOTIFIED task, then leaves it COMPLETE, idle or re-queued. Called by the
     * thread that popped the task from a queue.
     */
    public final void run() {
        int s = state;
        for (;;) {
            if ((s & COMPLETE) != 0) {
                return; // cancelled while queued and finished by the canceller
            }
            int next = (s & ~NOTIFIED) | RUNNING;
            int witness = (int) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        if (!isDone()) {
            boolean traced = TaskSpan.inUse(); // false until a span exists: then no thread-local access
            TaskSpan outer = traced ? TaskSpan.enter(span) : null;
            try {
                step();
            } catch (Throwable t) {
                stepFailed(t); // a failure reported to the uncaught hook is logged under the span
            }
            if (traced) {
                TaskSpan.exit(span, outer);
            }
        }
        boolean yielded = yieldRequested;
        yieldRequested = false;
        for (;;) {
            s = state;
            if (isDone() || isRetired()) {
                STATE.setRelease(this, COMPLETE | (s & WAITING));
                return;
            }
            if (yielded || (s & NOTIFIED) != 0) {
                if (STATE.compareAndSet(this, s, (s & ~RUNNING) | NOTIFIED)) {
                    scheduler.schedule(this, true);
                    return;
                }
            } else if (isLinked()) {
                // Linked (see ContinuationTask): its root stands for it, so it is not reported.
                if (STATE.compareAndSet(this, s, s & ~RUNNING)) {
                    if (isDone() || isRetired()) {
                        finishIfIdle();
                    }
                    return;
                }
            } else if (STATE.compareAndSet(this, s, (s & ~RUNNING) | WAITING)) {
                if ((s & WAITING) == 0) {
                    scheduler.taskWaiting(this);
                }
                if (isDone()) {
                    finishIfIdle(); // cancelled between the check above and going idle
                }
                return;
            }
        }
    }

    /** Drops a queued task at shutdown: it is cancelled, never run. */
    public final void cancelQueued() {
        super.cancel();
        run(); // sees the result set: reaches COMPLETE without running a step
    }

    // ---- completion ----------------------------------------------------------------------

    @Override
    public boolean cancel() {
        if (!super.cancel()) {
            return false;
        }
        finishIfIdle();
        return true;
    }

    /** Moves an idle, finished task to COMPLETE; a running or queued one gets there itself. */
    private void finishIfIdle() {
        for (;;) {
            int s = state;
            if ((s & (RUNNING | NOTIFIED | COMPLETE)) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | COMPLETE)) {
                return;
            }
        }
    }

    @Override
    protected void afterCompletion(Throwable failureOrNull) {
        scheduler.taskFinished(this, failureOrNull);
    }

    /**
     * True for a task that will never run a step again although its outcome is not set: one
     * linked to a root (see ContinuationTask) that has handed its part over. Such a task has
     * left the scheduler's books ({@link TaskScheduler#taskFinished}) by then.
     */
    public boolean isRetired() {
        return false;
    }

    /** True for tasks spawned with a body: their failures go to the uncaught-exception hook. */
    public boolean reportsUncaught() {
        return false;
    }

    /**
     * Set by the scheduler just before it adds this task to its shared set of waiting tasks;
     * a finish looks in that set only then. Volatile, and read after the completing CAS, so
     * that a finish and a share racing each other cannot both miss (the share rechecks isDone
     * after adding).
     */
    private volatile boolean sharedWaiter;

    /** The scheduler is about to record this task in its shared set of waiting tasks. */
    public final void markSharedWaiter() {
        sharedWaiter = true;
    }

    /** True once {@link #markSharedWaiter} ran: the task may sit in the scheduler's shared set. */
    public final boolean isSharedWaiter() {
        return sharedWaiter;
    }

    /** True while the WAITING bit is set: reported to the scheduler as waiting. */
    public final boolean wasWaiting() {
        return (state & WAITING) != 0;
    }
}
