package io.krill;

import io.krill.internal.task.AbstractTask;
import io.krill.internal.task.HandBack;
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
    private final ArrayDeque<Taker<T>> takers = new ArrayDeque<>();  // guarded by this
    private boolean closed;                                             // guarded by this

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

    /**
     * A task finished: its result goes to the oldest waiting {@link #next()}, or waits for one.
     * A {@code next()} cancelled meanwhile (a timeout, a race) refuses it, and the result goes to
     * the next in line or back to the set: no result is lost to a cancelled taker.
     */
    private void finished(JoinHandle<T> handle) {
        synchronized (this) {
            running.remove(handle);
        }
        offer(handle, false);
    }

    /**
     * Hands {@code handle}'s result to the oldest taker that accepts it, else keeps it (first in
     * line when {@code first}: a result given back), else, closed, gives it back.
     */
    private void offer(JoinHandle<T> handle, boolean first) {
        for (;;) {
            Taker<T> taker;
            synchronized (this) {
                taker = takers.poll();
                if (taker == null && (!closed || handle.failureNow() != null)) { // a failure has nothing to give back
                    if (first) {
                        finished.addFirst(handle);
                    } else {
                        finished.addLast(handle);
                    }
                    return;
                }
            }
            if (taker == null) { // closed: nobody will take it
                HandBack.handBack(AbstractTask.of(handle, "the handle"));
                return;
            }
            if (taker.take(handle)) {
                return;
            }
        }
    }

    /**
     * A {@code next()}: completes as the task it is given did. Cancel-safe as Tokio's
     * {@code join_next}: a result it got and nobody took (it lost a race, its continuation was
     * cancelled) goes back to the set, first in line.
     */
    private static final class Taker<T> extends AbstractTask<T> {
        private final JoinSet<T> set;
        private JoinHandle<T> taken; // written before the completion that publishes it

        Taker(JoinSet<T> set) {
            this.set = set;
        }

        /** @return false when this was cancelled first (the result is still the handle's) */
        boolean take(JoinHandle<T> handle) {
            taken = handle;
            return completeAs(AbstractTask.of(handle, "the handle"));
        }

        @Override
        protected void handBack(T value) {
            set.offer(taken, true);
        }
    }

    /**
     * The result of the next task to finish (in finishing order), failures included.
     *
     * <p>Cancel-safe (as Tokio's {@code join_next}): cancelled while it waits, it takes no
     * result; a result it got that nobody took (it lost a race, its continuation was cancelled
     * before its function ran) goes back to the set, first in line.
     *
     * @throws NoSuchElementException when the set holds no task
     */
    public Task<T> next() {
        Taker<T> taker = new Taker<>(this);
        JoinHandle<T> ready;
        synchronized (this) {
            ready = finished.poll();
            if (ready == null) {
                if (running.size() <= takers.size()) {
                    throw new NoSuchElementException("the JoinSet has no task left to wait for");
                }
                takers.add(taker);
                taker.whenDone(() -> leftIfCancelled(taker));
                return taker;
            }
        }
        taker.take(ready);
        return taker;
    }

    /** A {@code next()} cancelled while waiting no longer counts as a taker. */
    private void leftIfCancelled(Taker<T> taker) {
        if (taker.isCancelled()) {
            synchronized (this) {
                takers.remove(taker);
            }
        }
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

    /**
     * Aborts every running task, and gives back ({@link HandBack}: closes what holds something)
     * the values nobody took, now or when a task that finished as it was aborted lands:
     * Tokio's drop of a {@code JoinSet}. Failures and cancellations can still be taken with
     * {@link #next()}, and a {@code next()} already waiting still gets a result.
     */
    @Override
    public void close() {
        List<JoinHandle<T>> untaken = new ArrayList<>();
        synchronized (this) {
            closed = true;
            finished.removeIf(handle -> handle.failureNow() == null && untaken.add(handle));
        }
        abortAll();
        for (JoinHandle<T> handle : untaken) {
            HandBack.handBack(AbstractTask.of(handle, "the handle"));
        }
    }
}
