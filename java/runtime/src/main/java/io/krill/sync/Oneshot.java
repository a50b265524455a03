package io.krill.sync;

import io.krill.Promise;
import io.krill.Task;

/**
 * A channel for one value (Tokio's {@code oneshot}): the receiver is a task. If the sender is
 * closed without sending, the receiver fails with {@link ClosedException}; once the receiver is
 * cancelled, {@link Sender#send} returns false.
 *
 * <p>Cancel safety: the receiver is the value's only holder. Cancelled before the send, the
 * send is refused and the sender keeps its value; given up on after it (a race it lost, a
 * cancelled continuation), a value that holds something ({@link AutoCloseable}) is closed, as
 * dropping Tokio's receiver drops it; awaiting the receiver task again still finds the value
 * otherwise.
 */
public final class Oneshot {

    private Oneshot() {}

    public record Channel<T>(Sender<T> sender, Task<T> receiver) {}

    public static <T> Channel<T> channel() {
        Promise<T> promise = Task.promise();
        return new Channel<>(new Sender<>(promise), promise);
    }

    /** Sends at most once. */
    public static final class Sender<T> implements AutoCloseable {
        private final Promise<T> promise;

        private Sender(Promise<T> promise) {
            this.promise = promise;
        }

        /** @return false when a value was already sent or the receiver is gone (cancelled) */
        public boolean send(T value) {
            return promise.complete(value);
        }

        public boolean isReceiverClosed() {
            return promise.isCancelled();
        }

        /** Closing without sending ends the receiver with {@link ClosedException}. */
        @Override
        public void close() {
            promise.fail(new ClosedException("the oneshot sender closed without sending"));
        }
    }
}
