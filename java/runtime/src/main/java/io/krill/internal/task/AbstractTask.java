package io.krill.internal.task;

import io.krill.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The future half of every task: a result set once, waiters woken once, and the combinators.
 * See the package notes for the memory-ordering argument.
 *
 * @param <T> the result type
 */
public abstract non-sealed class AbstractTask<T> implements Task<T> {

    /**
     * {@code task} as what every task is: {@link Task} is sealed, and this is the one class
     * every permitted implementation extends, so the cast cannot fail.
     *
     * @throws NullPointerException naming {@code what} when {@code task} is null
     */
    @SuppressWarnings("unchecked")
    public static <T> AbstractTask<T> of(Task<? extends T> task, String what) {
        if (task == null) {
            throw new NullPointerException(what + " is null");
        }
        return (AbstractTask<T>) task;
    }

    /** Stands for a {@code null} result, so that {@code null} can mean "pending". */
    private static final Object NIL = new Object();
    /**
     * Stands for the task itself as its result (a lock guard that is its own task): a field
     * pointing back at its object keeps C2's escape analysis from scalar-replacing it (measured:
     * SyncBenchmark.krillMutexLockUnlock 32 B/op with the self-reference, 0 with this).
     */
    private static final Object SELF = new Object();
    /** The waiters word after completion: later waiters read the result themselves. */
    private static final Object FIRED = new Object();

    /** A failed or cancelled outcome. */
    record Failure(Throwable error) {}

    /**
     * The result word of a task linked to {@code root} ({@link #linkTo}): its outcome is the
     * root's, read through the link, and it is never set on its own. A root is never linked
     * itself (see ContinuationTask), so a link is one hop.
     */
    private record Link(AbstractTask<?> root) {}

    /** A link in the waiter chain, used from the second waiter on. */
    private record WaitNode(Waker waker, Object next) {}

    private static final VarHandle RESULT;
    private static final VarHandle WAITERS;
    private static final VarHandle HANDED_BACK;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            RESULT = lookup.findVarHandle(AbstractTask.class, "result", Object.class);
            WAITERS = lookup.findVarHandle(AbstractTask.class, "waiters", Object.class);
            HANDED_BACK = lookup.findVarHandle(AbstractTask.class, "handedBack", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Written once by CAS in complete(); read with acquire semantics (volatile).
    private volatile Object result;
    // null | Waker | WaitNode chain | FIRED; CAS by waiters, getAndSet(FIRED) by complete().
    private volatile Object waiters;
    // Set once, by the first handBackOnce(); sits in the header's padding (no bigger objects).
    private volatile boolean handedBack;

    protected AbstractTask() {}

    /**
     * A task born finished with {@code value}: no atomic operation, as nothing can see it yet
     * (it is published by whatever hands it out). Waiters added later find it FIRED and read
     * the result themselves.
     */
    @SuppressWarnings("this-escape") // only the VarHandles see 'this': plain stores
    protected AbstractTask(T value) {
        RESULT.set(this, value == null ? NIL : value);
        WAITERS.set(this, FIRED);
    }

    /**
     * Completes, with {@code value}, a task that no other thread can see yet: plain stores, as
     * in {@link #AbstractTask(Object)}, for a value the constructor cannot name (a lock guard
     * that is its own completed task: {@code value == this}, kept as {@code SELF}). Calling it
     * on a task already handed out is a bug.
     */
    protected final void completeUnpublished(T value) {
        RESULT.set(this, value == null ? NIL : value == this ? SELF : value);
        WAITERS.set(this, FIRED);
    }

    // ---- completion ----------------------------------------------------------------------

    /** Completes with {@code value}; false if already done. */
    protected final boolean completeValue(T value) {
        return complete(value == null ? NIL : value);
    }

    /** Completes with {@code failure}; false if already done. */
    protected final boolean completeFailure(Throwable failure) {
        return complete(new Failure(failure));
    }

    private boolean complete(Object outcome) {
        if (!RESULT.compareAndSet(this, null, outcome)) {
            return result instanceof Link link && link.root().complete(outcome);
        }
        afterCompletion(outcome instanceof Failure f ? f.error() : null);
        Object taken = WAITERS.getAndSet(this, FIRED); // pairs with the CAS in addWaiter
        while (taken != null) {
            if (taken instanceof WaitNode node) {
                node.waker().wake();
                taken = node.next();
            } else {
                ((Waker) taken).wake();
                taken = null;
            }
        }
        return true;
    }

    /** Hook run once, after the result is set and before waiters are woken. */
    protected void afterCompletion(Throwable failureOrNull) {}

    /**
     * Registers {@code waker} to be woken once when this task finishes.
     *
     * @return false if the task has already finished (the waker will not be called)
     */
    public final boolean addWaiter(Waker waker) {
        for (;;) {
            Object current = waiters;
            if (current == FIRED) {
                // A linked task's waiters moved to its root, and so do later ones.
                return result instanceof Link link && link.root().addWaiter(waker);
            }
            Object next = current == null ? waker : new WaitNode(waker, current);
            if (WAITERS.compareAndSet(this, current, next)) { // pairs with getAndSet in complete
                return true;
            }
        }
    }

    /** Calls {@code waker} when this task finishes, at once if it already has. */
    public final void whenDone(Waker waker) {
        if (!addWaiter(waker)) {
            waker.wake();
        }
    }

    // ---- linking (then-loops that do not grow) -------------------------------------------

    /**
     * Makes this pending task's outcome {@code root}'s, for good: reads go through to the root,
     * completions go to it, and the waiters (those here now and those to come) wait on it
     * instead. Whoever links must make the root's outcome the one this task would have had
     * (ContinuationTask does: the root completes as this task's computation does).
     *
     * @return false if this task had already finished (nothing changed)
     */
    final boolean linkTo(AbstractTask<T> root) {
        if (!RESULT.compareAndSet(this, null, new Link(root))) {
            return false;
        }
        // After the result word: a waiter that finds FIRED then finds the link (see addWaiter).
        Object taken = WAITERS.getAndSet(this, FIRED);
        while (taken != null) {
            Waker waker;
            if (taken instanceof WaitNode node) {
                waker = node.waker();
                taken = node.next();
            } else {
                waker = (Waker) taken;
                taken = null;
            }
            root.whenDone(waker);
        }
        return true;
    }

    /** True once this task is linked to a root ({@link #linkTo}). */
    final boolean isLinked() {
        return result instanceof Link;
    }

    /** The outcome word, through a link: null while pending. */
    private Object settled() {
        Object outcome = result;
        return outcome instanceof Link link ? link.root().settled() : outcome;
    }

    // ---- reading -------------------------------------------------------------------------

    @Override
    public final boolean isDone() {
        Object outcome = result;
        return outcome != null && (!(outcome instanceof Link) || settled() != null);
    }

    @Override
    public final boolean isCancelled() {
        return settled() instanceof Failure f && f.error() instanceof CancellationException;
    }

    @Override
    public final T resultNow() {
        Object outcome = settled();
        if (outcome == null) {
            throw new IllegalStateException("task has not finished: " + this);
        }
        if (outcome instanceof Failure f) {
            if (f.error() instanceof CancellationException c) {
                throw c;
            }
            throw new CompletionException(f.error());
        }
        return valueOf(outcome);
    }

    /** The value a successful outcome stands for. */
    @SuppressWarnings("unchecked")
    private T valueOf(Object outcome) {
        return outcome == NIL ? null : outcome == SELF ? (T) this : (T) outcome;
    }

    @Override
    public final Throwable failureNow() {
        return settled() instanceof Failure f ? f.error() : null;
    }

    /** The raw outcome, for combinators copying it: null while pending. */
    final Object outcome() {
        Object outcome = result;
        if (outcome instanceof Link link) {
            return link.root().outcome();
        }
        return outcome == SELF ? this : outcome; // copied into another task, SELF would mean that one
    }

    /** Completes this task with another task's raw outcome. */
    final boolean completeWithOutcome(Object outcome) {
        return complete(outcome);
    }

    /** Completes this task as the finished task {@code other} did (value, failure or cancellation). */
    protected final boolean completeAs(AbstractTask<? extends T> other) {
        Object outcome = other.outcome();
        if (outcome == null) {
            throw new IllegalStateException("completeAs: " + other + " has not finished");
        }
        return complete(outcome);
    }

    // ---- giving back a value nobody takes ------------------------------------------------------

    /**
     * Gives back this task's value, which its consumer gave up on after it had come (a race it
     * lost, a continuation or a {@code Task.all} cancelled before it could pass it on, a
     * {@code JoinSet} closed before it was taken): see {@link HandBack}. Once per task, however
     * many consumers give up on it; nothing for a task that failed, was cancelled or has not
     * finished.
     */
    final void handBackOnce() {
        Object outcome = result;
        if (outcome instanceof Link link) {
            link.root().handBackOnce(); // one value, the root's: given back once, there
            return;
        }
        if (outcome == null || outcome instanceof Failure || !HANDED_BACK.compareAndSet(this, false, true)) {
            return;
        }
        try {
            handBack(valueOf(outcome));
        } catch (RuntimeException | Error e) {
            TaskScheduler.here().uncaught(e);
        }
    }

    /**
     * Where a value nobody takes goes: by default, one that holds something
     * ({@link AutoCloseable}: a guard, a stream, a permit) is closed, as dropping it would in
     * Tokio. A primitive whose task took a plain value out of it (a message, a notification, a
     * position, permits) overrides this to put it back, so the next taker gets it.
     */
    protected void handBack(T value) {
        HandBack.close(value);
    }

    // ---- blocking ------------------------------------------------------------------------

    @Override
    public final T join() {
        if (!isDone()) {
            refuseOnWorker("join()");
            ThreadWaker waiter = new ThreadWaker(Thread.currentThread());
            if (addWaiter(waiter)) {
                boolean interrupted = false;
                while (!isDone()) {
                    if (OffWorker.homeCancelled()) {
                        cancel(); // the virtual thread's own task was cancelled: give up what it waits for (#15)
                        break;
                    }
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
                if (interrupted) {
                    Thread.currentThread().interrupt(); // join() is uninterruptible; keep the flag
                }
            }
        }
        return resultNow();
    }

    @Override
    public final T join(Duration timeout) throws TimeoutException, InterruptedException {
        if (!isDone()) {
            refuseOnWorker("join(Duration)");
            long deadlineNanos = System.nanoTime() + timeout.toNanos();
            if (addWaiter(new ThreadWaker(Thread.currentThread()))) {
                while (!isDone()) {
                    long leftNanos = deadlineNanos - System.nanoTime();
                    if (leftNanos <= 0) {
                        throw new TimeoutException("task not finished after " + timeout);
                    }
                    LockSupport.parkNanos(this, leftNanos);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted while joining " + this);
                    }
                }
            }
        }
        return resultNow();
    }

    private static void refuseOnWorker(String what) {
        WorkerContext worker = WorkerContext.current();
        if (worker != null) {
            throw new IllegalStateException("Task." + what + " would block Krill worker thread '"
                    + worker.name() + "': compose with map/then/handle, or await the task in a"
                    + " Coroutine (step.await(task)), instead of blocking");
        }
    }

    private record ThreadWaker(Thread thread) implements Waker {
        @Override
        public void wake() {
            LockSupport.unpark(thread);
        }
    }

    // ---- cancellation and composition ------------------------------------------------------

    @Override
    public boolean cancel() {
        return completeFailure(new Cancelled());
    }

    @Override
    public <U> Task<U> map(Function<? super T, ? extends U> fn) {
        return ContinuationTask.map(this, fn);
    }

    @Override
    public <U> Task<U> then(Function<? super T, ? extends Task<U>> fn) {
        return ContinuationTask.then(this, fn);
    }

    @Override
    public <U> Task<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return ContinuationTask.handle(this, fn);
    }

    @Override
    public final CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> future = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                AbstractTask.this.cancel(); // the future's cancel is the task's (#15)
                return cancelled;
            }
        };
        whenDone(() -> {
            Object outcome = settled();
            if (outcome instanceof Failure f) {
                future.completeExceptionally(f.error());
            } else {
                future.complete(valueOf(outcome));
            }
        });
        return future;
    }

    @Override
    public String toString() {
        Object outcome = settled();
        String state = outcome == null ? "pending"
                : outcome instanceof Failure f ? (f.error() instanceof CancellationException ? "cancelled" : "failed: " + f.error())
                : "done";
        return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this)) + "[" + state + "]";
    }
}
