package io.krill.internal.executor;

import io.krill.JoinHandle;
import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.TaskSpan;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code spawnBlocking}: a bounded pool of threads for work that blocks, so that workers never
 * do. Threads start on demand up to {@code maxThreads} and retire after {@code keepAlive} idle;
 * work beyond that waits in an unbounded queue, as in Tokio.
 */
public final class BlockingPool {

    private final ThreadPoolExecutor executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Runnable onQuiet = () -> { };

    public BlockingPool(int maxThreads, long keepAliveMillis, String threadNamePrefix) {
        AtomicInteger ids = new AtomicInteger();
        executor = new ThreadPoolExecutor(maxThreads, maxThreads, keepAliveMillis, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, threadNamePrefix + ids.getAndIncrement());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** A handle completed by a pool thread; aborting it before it starts keeps it from running. */
    public <T> JoinHandle<T> submit(Callable<? extends T> body) {
        BlockingTask<T> task = new BlockingTask<>(body, this::finished);
        inFlight.incrementAndGet();
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            finished();
            throw new RejectedExecutionException("the runtime is shutting down: spawnBlocking refused", e);
        }
        return task;
    }

    /** Blocking tasks submitted and not yet finished: a paused clock does not auto-advance past them. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Runs {@code action} each time the last blocking task in flight finishes. */
    public void onQuiet(Runnable action) {
        this.onQuiet = action;
    }

    private void finished() {
        if (inFlight.decrementAndGet() == 0) {
            onQuiet.run();
        }
    }

    public void shutdown() {
        executor.shutdown();
    }

    /** Waits for running blocking work, then cancels what never started. */
    public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
        boolean done = executor.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (!done) {
            List<Runnable> neverRan = executor.shutdownNow(); // interrupts running ones
            for (Runnable runnable : neverRan) {
                ((BlockingTask<?>) runnable).cancel();
                finished();
            }
        }
        return done;
    }

    /** Public only so that the sealed {@code JoinHandle} can name it; the package is not exported. */
    public static final class BlockingTask<T> extends AbstractTask<T> implements JoinHandle<T>, Runnable {
        private Callable<? extends T> body;
        private final Runnable finished;
        /** The span current where it was spawned: current, in the MDC, while the body runs. */
        private final TaskSpan span = TaskSpan.inherited();

        BlockingTask(Callable<? extends T> body, Runnable finished) {
            this.body = body;
            this.finished = finished;
        }

        @Override
        public void run() {
            try {
                if (isDone()) {
                    return; // aborted before it started
                }
                Callable<? extends T> b = body;
                body = null;
                TaskSpan outer = span == null ? null : TaskSpan.enter(span);
                try {
                    completeValue(b.call());
                } catch (Throwable t) {
                    completeFailure(t);
                } finally {
                    if (span != null) {
                        TaskSpan.exit(span, outer);
                    }
                }
            } finally {
                finished.run();
            }
        }
    }
}
