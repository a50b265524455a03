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
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spawnBlocking}: a bounded pool of threads for work that blocks, so that workers never
 * do. Threads start on demand up to {@code maxThreads} and retire after {@code keepAlive} idle;
 * work beyond that waits in an unbounded queue, as in Tokio.
 */
public final class BlockingPool {

    private final ThreadPoolExecutor executor;
    private final int maxThreads;
    private final AtomicInteger inFlight = new AtomicInteger();
    /*
     * Metrics, kept here rather than asked of the executor (whose counts take its main lock).
     * Each is one atomic add per blocking task or thread, against a thread hand-off per task.
     */
    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private volatile Runnable onQuiet = () -> { };

    public BlockingPool(int maxThreads, long keepAliveMillis, String threadNamePrefix) {
        AtomicInteger ids = new AtomicInteger();
        this.maxThreads = maxThreads;
        executor = new ThreadPoolExecutor(maxThreads, maxThreads, keepAliveMillis, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(() -> counted(runnable), threadNamePrefix + ids.getAndIncrement());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** A pool thread's whole life, counted in {@link #threads()}. */
    private void counted(Runnable threadBody) {
        threads.incrementAndGet();
        try {
            threadBody.run();
        } finally {
            threads.decrementAndGet();
        }
    }

    /** A handle completed by a pool thread; aborting it before it starts keeps it from running. */
    public <T> JoinHandle<T> submit(Callable<? extends T> body) {
        BlockingTask<T> task = new BlockingTask<>(body, this);
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

    /** Pool threads alive now (started on demand, retired after the keep-alive). */
    public int threads() {
        return threads.get();
    }

    /** The most threads the pool starts. */
    public int maxThreads() {
        return maxThreads;
    }

    /** Blocking bodies running now. */
    public int busy() {
        return running.get();
    }

    /** Blocking tasks waiting for a thread now. */
    public int queued() {
        return executor.getQueue().size(); // a LinkedBlockingQueue's size is one atomic read
    }

    /** Blocking bodies that ran to their end (a value or a failure); aborted ones never ran. */
    public long completed() {
        return completed.get();
    }

    /** Runs {@code action} each time the last blocking task in flight finishes. */
    public void onQuiet(Runnable action) {
        this.onQuiet = action;
    }

    private void bodyEnded() {
        running.decrementAndGet();
        completed.incrementAndGet();
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
        private final BlockingPool pool;
        /** The span current where it was spawned: current, in the MDC, while the body runs. */
        private final TaskSpan span = TaskSpan.inherited();

        BlockingTask(Callable<? extends T> body, BlockingPool pool) {
            this.body = body;
            this.pool = pool;
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
                pool.running.incrementAndGet();
                try {
                    T value;
                    try {
                        value = b.call();
                    } finally {
                        pool.bodyEnded(); // before the handle completes: a joiner's next look at the metrics counts it
                    }
                    completeValue(value);
                } catch (Throwable t) {
                    completeFailure(t);
                } finally {
                    if (span != null) {
                        TaskSpan.exit(span, outer);
                    }
                }
            } finally {
                pool.finished();
            }
        }
    }
}
