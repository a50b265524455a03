package io.krill.internal.task;

import io.krill.Task;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Operations that need a worker (a timer wheel, a reactor shard to register in) called from a
 * thread that is not one (#15). The thread's {@link Home} says which runtime it belongs to; the
 * operation then runs on one of that runtime's workers as a task of its own, and the caller gets
 * back a task that completes as the operation's does, to {@code join()} or compose.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>The home is a {@link ScopedValue}, bound by the executor for the extent of a virtual
 * thread's body ({@link #bind}): it is gone when the body returns, a thread the body starts by
 * itself does not see it (it belongs to no runtime), and a worker never reads it. Callers keep
 * their worker path as it was and come here only where they used to throw, so routing costs
 * the worker path nothing.
 *
 * <p>A plain thread outside any runtime (main, a pool's thread) has no home: it gets an
 * {@link IllegalStateException} that names the call and says what to do.
 */
public final class OffWorker {

    private static final ScopedValue<Home> HOME = ScopedValue.newInstance();

    private OffWorker() {}

    /** An operation that may fail with an {@link IOException} (a bind). */
    @FunctionalInterface
    public interface Operation<T> {
        T run() throws IOException;
    }

    /** {@code bindings} with {@code home} as the home of the code run in their scope. */
    public static ScopedValue.Carrier bind(ScopedValue.Carrier bindings, Home home) {
        return bindings.where(HOME, home);
    }

    /** The current thread's home, or null (a worker, or a thread outside any runtime). */
    public static Home current() {
        return HOME.isBound() ? HOME.get() : null; // orElse(null) is refused since JDK 25
    }

    /**
     * The current thread's home, for {@code what} called off a worker.
     *
     * @throws IllegalStateException when the thread belongs to no runtime, saying what to do
     */
    public static Home home(String what) {
        Home home = current();
        if (home == null) {
            throw new IllegalStateException(what + " called on '" + Thread.currentThread().getName()
                    + "', which is neither a Krill worker nor a virtual thread started by runtime.spawnVirtual:"
                    + " run the code that needs it in runtime.spawnVirtual(...) (blocking style) or runtime.spawn(...)");
        }
        return home;
    }

    /**
     * Runs {@code operation} on a worker of the current thread's home and answers a task that
     * completes as the task it returns does. Cancelling that task before the operation ran keeps
     * it from running; after, it cancels the operation's task (or hands back what it made, as
     * {@code Task.then} does). A shut-down runtime cancels it.
     *
     * @throws IllegalStateException when the thread belongs to no runtime
     */
    public static <T> Task<T> route(String what, Supplier<? extends Task<T>> operation) {
        return ContinuationTask.runOn(home(what).scheduler(), operation);
    }

    /**
     * Runs {@code operation} on a worker of the current thread's home and waits for its value:
     * this thread is not a worker, so it may. What the operation throws is thrown here as it
     * was (its stack trace is the worker's). A value made for a caller that gave up (its join
     * cancelled) is closed.
     *
     * @throws IllegalStateException when the thread belongs to no runtime
     */
    public static <T> T call(String what, Operation<T> operation) throws IOException {
        Task<T> task = route(what, () -> {
            try {
                return Task.completed(operation.run());
            } catch (IOException e) {
                return Task.failed(e); // thrown below as it was
            }
        });
        try {
            return task.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e; // the operation declares only IOException: nothing else checked can come
        }
    }

    /**
     * Whether a {@code Task.join()} on this thread should give up: its home's task was
     * cancelled. One scoped-value lookup, made only by a join that is about to park.
     */
    static boolean homeCancelled() {
        Home home = current();
        return home != null && home.isCancelled();
    }
}
