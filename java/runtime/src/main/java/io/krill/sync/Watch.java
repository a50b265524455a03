package io.krill.sync;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import java.util.List;
import java.util.Objects;

/**
 * A value that changes, watched by many (Tokio's {@code watch}): receivers read the latest
 * value and wait for the next change; intermediate values may be skipped. Closing the sender
 * fails pending and later {@code changed()} with {@link ClosedException}.
 *
 * @param <T> the value type (never null)
 */
public final class Watch<T> {

    private T value;                                  // guarded by this
    private long version;                             // guarded by this
    private boolean closed;                           // guarded by this
    private final WaitQueue waiting = new WaitQueue(); // guarded by this

    private Watch(T initial) {
        this.value = Objects.requireNonNull(initial, "initial");
    }

    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    public static <T> Channel<T> channel(T initial) {
        Watch<T> watch = new Watch<>(initial);
        return new Channel<>(new Sender<>(watch), watch.subscribe());
    }

    /** A receiver that has seen the current value (users subscribe through {@link Sender#subscribe}). */
    private synchronized Receiver<T> subscribe() {
        return new Receiver<>(this, version);
    }

    /** Publishes a value. */
    public static final class Sender<T> implements AutoCloseable {
        private final Watch<T> watch;

        private Sender(Watch<T> watch) {
            this.watch = watch;
        }

        public void send(T value) {
            Objects.requireNonNull(value, "value");
            List<Waiter<?>> woken;
            synchronized (watch) {
                if (watch.closed) {
                    throw new ClosedException("watch closed");
                }
                watch.value = value;
                watch.version++;
                woken = watch.waiting.grantAll();
            }
            for (Waiter<?> waiter : woken) {
                waiter.grantVoid();
            }
        }

        public Receiver<T> subscribe() {
            return watch.subscribe();
        }

        @Override
        public void close() {
            List<Waiter<?>> woken;
            synchronized (watch) {
                watch.closed = true;
                woken = watch.waiting.grantAll();
            }
            for (Waiter<?> waiter : woken) {
                waiter.refuse(new ClosedException("watch closed"));
            }
        }
    }

    /** One watcher's view: the latest value and which version it has seen. */
    public static final class Receiver<T> {
        private final Watch<T> watch;
        private long seen; // guarded by watch

        private Receiver(Watch<T> watch, long seen) {
            this.watch = watch;
            this.seen = seen;
        }

        /** The latest value; marks it seen. */
        public T borrowAndMarkSeen() {
            synchronized (watch) {
                seen = watch.version;
                return watch.value;
            }
        }

        /** The latest value, without marking it seen. */
        public T borrow() {
            synchronized (watch) {
                return watch.value;
            }
        }

        /**
         * Completes when a value newer than the last seen one is there (at once if it is), and
         * marks it seen.
         *
         * <p>Cancel-safe, as Tokio's: cancelled before a change, it marks nothing; a change it
         * reported that nobody took (it lost a race, its continuation was cancelled) is unseen
         * again, so the next {@code changed()} reports it.
         */
        public Task<Void> changed() {
            synchronized (watch) {
                if (watch.version != seen) {
                    long before = seen;
                    seen = watch.version;
                    return new Seen(this, before, seen);
                }
                if (watch.closed) {
                    return Task.failed(new ClosedException("watch closed"));
                }
                ChangeWaiter<T> waiter = new ChangeWaiter<>(this);
                watch.waiting.add(waiter);
                return waiter;
            }
        }

        /** A change reported and taken by nobody: unseen again, unless this receiver moved on since. */
        void unsee(long before, long after) {
            synchronized (watch) {
                if (seen == after) {
                    seen = before;
                }
            }
        }
    }

    /** A {@code changed()} waiting for a change; granted, it marks the change seen. */
    private static final class ChangeWaiter<T> extends Waiter<Void> {
        private final Receiver<T> receiver;
        private long before;
        private long after;

        ChangeWaiter(Receiver<T> receiver) {
            super(receiver.watch, 0);
            this.receiver = receiver;
        }

        @Override
        void grantVoid() {
            synchronized (receiver.watch) {
                before = receiver.seen;
                after = receiver.watch.version;
                receiver.seen = after;
            }
            super.grantVoid();
        }

        @Override
        protected void handBack(Void none) {
            receiver.unsee(before, after);
        }
    }

    /** A change found at once: born completed; unseen again if nobody takes it. */
    private static final class Seen extends AbstractTask<Void> {
        private final Receiver<?> receiver;
        private final long before;
        private final long after;

        Seen(Receiver<?> receiver, long before, long after) {
            super((Void) null);
            this.receiver = receiver;
            this.before = before;
            this.after = after;
        }

        @Override
        protected void handBack(Void none) {
            receiver.unsee(before, after);
        }
    }
}
