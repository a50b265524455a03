package io.krill.internal.executor;

import io.krill.JoinHandle;
import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.HandBack;
import io.krill.internal.task.Home;
import io.krill.internal.task.OffWorker;
import io.krill.internal.task.TaskScheduler;
import io.krill.internal.task.TaskSpan;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * {@code runtime.spawnVirtual} (#15): bodies that run on virtual threads of their own, written in
 * blocking style ({@code task.join()} parks only that virtual thread), as tasks of the runtime.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Threads.</b> The virtual threads are the JDK's: they run on its carrier pool, not on
 * Krill's workers (the JDK has no public way to give a virtual thread another scheduler). What
 * they wait for is Krill's: a join parks the virtual thread until a worker (a timer, the
 * reactor's readiness, another task) completes the task and unparks it. Operations that need a
 * worker are routed to one ({@link OffWorker}), the body running with its task bound as its
 * {@link Home}.
 *
 * <p><b>Live.</b> Each body is live from {@link #start} until it returns or throws, kept in
 * {@link #live}; shutdown waits for the set to empty ({@link #awaitQuiet}), then cancels what is
 * left ({@link #cancelAll}). The set is the only shared state; a task adds itself before its
 * thread starts and removes itself in the thread's last {@code finally}.
 *
 * <p><b>Cancel.</b> {@link VirtualTask#cancel()} completes the handle (the result CAS decides, as
 * for every task) and interrupts the thread: blocking JDK calls end with
 * {@link InterruptedException}, and the thread's Krill joins cancel what they wait for
 * ({@code AbstractTask.join}). The body goes on until it returns; what it returns after the
 * cancel is handed back (closed if it holds something).
 */
public final class VirtualThreads {

    private final MultiThreadScheduler scheduler;
    private final ThreadFactory threads;
    private final Set<VirtualTask<?>> live = ConcurrentHashMap.newKeySet();

    public VirtualThreads(MultiThreadScheduler scheduler, String threadNamePrefix) {
        this.scheduler = scheduler;
        this.threads = Thread.ofVirtual().name(threadNamePrefix, 0).factory(); // a factory is thread-safe, a builder is not
    }

    /**
     * Starts {@code body} on a new virtual thread, in the scope of {@code bindings} (the caller's
     * own scoped values) and of its task as the thread's home.
     */
    public <T> JoinHandle<T> start(Callable<? extends T> body, ScopedValue.Carrier bindings) {
        VirtualTask<T> task = new VirtualTask<>(this, body, bindings);
        Thread thread = threads.newThread(task);
        task.thread = thread; // before the task is published: cancel() always finds it
        live.add(task);
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            live.remove(task); // the JDK refused the thread (out of memory): nothing runs it
            throw e;
        }
        return task;
    }

    /** Bodies started and not yet ended. */
    public int live() {
        return live.size();
    }

    /** Waits until no body is live or {@code deadlineNanos} passes; true when none is. */
    public boolean awaitQuiet(long deadlineNanos) throws InterruptedException {
        while (!live.isEmpty() && System.nanoTime() < deadlineNanos) {
            TimeUnit.MILLISECONDS.sleep(1); // as the scheduler's shutdown: 1 ms is short against any useful deadline
        }
        return live.isEmpty();
    }

    /** Cancels every live body (shutdown past its deadline); none is waited for. */
    public void cancelAll() {
        for (VirtualTask<?> task : live) {
            task.cancel();
        }
    }

    private void ended(VirtualTask<?> task) {
        live.remove(task);
    }

    /** Public only so that the sealed {@code JoinHandle} can name it; the package is not exported. */
    public static final class VirtualTask<T> extends AbstractTask<T> implements JoinHandle<T>, Home, Runnable {
        private final VirtualThreads owner;
        private final ScopedValue.Carrier bindings;
        private Callable<? extends T> body; // cleared when it starts, so a finished task holds no closure
        /** The span current where it was spawned: current, in the MDC, while the body runs. */
        private final TaskSpan span = TaskSpan.inherited();
        /** Set by start() before the task is published; never changes after. */
        private Thread thread;

        VirtualTask(VirtualThreads owner, Callable<? extends T> body, ScopedValue.Carrier bindings) {
            this.owner = owner;
            this.body = body;
            this.bindings = bindings;
        }

        @Override
        public void run() {
            try {
                if (isDone()) {
                    return; // cancelled before it started
                }
                Callable<? extends T> b = body;
                body = null;
                TaskSpan outer = span == null ? null : TaskSpan.enter(span);
                try {
                    T value = OffWorker.bind(bindings, this).call(b::call);
                    if (!completeValue(value)) {
                        HandBack.close(value); // cancelled meanwhile: nobody takes it
                    }
                } catch (Throwable t) {
                    if (completeFailure(t) && !(t instanceof CancellationException)) {
                        owner.scheduler.uncaught(t); // where a spawned task's failure goes
                    }
                } finally {
                    if (span != null) {
                        TaskSpan.exit(span, outer);
                    }
                }
            } finally {
                owner.ended(this);
            }
        }

        @Override
        public boolean cancel() {
            if (!super.cancel()) {
                return false;
            }
            thread.interrupt(); // a thread not yet started ignores it, and run() then sees the task done
            return true;
        }

        @Override
        public TaskScheduler scheduler() {
            return owner.scheduler;
        }

        @Override
        public long clockNanos() {
            return owner.scheduler.clock().nowNanos();
        }

        @Override
        public String toString() {
            return super.toString() + " on " + thread;
        }
    }
}
