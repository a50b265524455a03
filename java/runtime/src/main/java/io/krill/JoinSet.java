package io.krill;

import io.krill.internal.task.AbstractTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/**
 * Many spawned tasks whose results are taken as they finish; closing the set aborts what is
 * still running (Tokio's {@code JoinSet}).
 *
 * @param <T> the tasks' result type
 */
public final class JoinSet<T> implements AutoCloseable {

    private final Runtime runtime;
    private final List<JoinHandle<T>> running = new ArrayList<>();   // guarded by this
    private final ArrayDeque<JoinHandle<T>> finished = new ArrayDeque<>(); // guarded by this
    private final ArrayDeque<Promise<T>> takers = new ArrayDeque<>();  // guarded by this

    public JoinSet(Runtime runtime) {
        this.runtime = runtime;
    }

    public JoinHandle<T> spawn(Callable<? extends T> body) {
        return track(runtime.spawn(body));
    }

    public JoinHandle<T> spawn(Coroutine<T> body) {
        return track(runtime.spawn(body));
    }

    private JoinHandle<T> track(JoinHandle<T> handle) {
        synchronized (this) {
            running.add(handle);
        }
        AbstractTask.of(handle, "the handle").whenDone(() -> finished(handle)); // every JoinHandle is one
        return handle;
    }

    private void finished(JoinHandle<T> handle) {
        Promise<T> taker;
        synchronized (this) {
            running.remove(handle);
            taker = takers.poll();
            if (taker == null) {
                finished.add(handle);
                return;
            }
        }
        transfer(handle, taker);
    }

    private static <T> void transfer(JoinHandle<T> from, Promise<T> to) {
        Throwable failure = from.failureNow();
        if (failure != null) {
            to.fail(failure);
        } else {
            to.complete(from.resultNow());
        }
    }

    /**
     * The result of the next task to finish (in finishing order), failures included.
     *
     * @throws NoSuchElementException when the set holds no task
     */
    public Task<T> next() {
        Promise<T> taker = Task.promise();
        JoinHandle<T> ready;
        synchronized (this) {
            ready = finished.poll();
            if (ready == null) {
                if (running.size() <= takers.size()) {
                    throw new NoSuchElementException("the JoinSet has no task left to wait for");
                }
                takers.add(taker);
                return taker;
            }
        }
        transfer(ready, taker);
        return taker;
    }

    /** Tasks not yet taken with {@link #next()}. */
    public synchronized int size() {
        return running.size() + finished.size() - takers.size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Aborts every running task; their results still arrive, as cancellations. */
    public void abortAll() {
        List<JoinHandle<T>> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(running);
        }
        for (JoinHandle<T> handle : snapshot) {
            handle.abort();
        }
    }

    @Override
    public void close() {
        abortAll();
    }
}
