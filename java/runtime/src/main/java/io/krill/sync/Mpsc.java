package io.krill.sync;

import io.krill.Task;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Multi-producer, single-consumer channels (Tokio's {@code mpsc}). Bounded: {@code send} waits
 * for capacity. Unbounded: {@code send} never waits. Messages are never null: a {@code recv}
 * that completes with null means every sender is closed and the buffer is drained. When the
 * receiver is closed, sends fail with {@link ClosedException}.
 */
public final class Mpsc {

    private Mpsc() {}

    /** The two ends of a channel. */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    public static <T> Channel<T> bounded(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("channel capacity must be at least 1, got " + capacity);
        }
        Chan<T> chan = new Chan<>(new Semaphore(capacity));
        return new Channel<>(new Sender<>(chan), new Receiver<>(chan));
    }

    public static <T> Channel<T> unbounded() {
        Chan<T> chan = new Chan<>(null);
        return new Channel<>(new Sender<>(chan), new Receiver<>(chan));
    }

    private static final Task<Void> SENT = Task.completed(null);

    /** The shared state; its monitor guards every field but the capacity semaphore. */
    private static final class Chan<T> {
        final Semaphore capacity; // null when unbounded; a permit per buffered message
        final ArrayDeque<T> buffer = new ArrayDeque<>();
        final WaitQueue receiving = new WaitQueue(); // at most the one pending recv
        int senders = 1;
        boolean receiverClosed;

        Chan(Semaphore capacity) {
            this.capacity = capacity;
        }

        /** Hands {@code message} to a waiting recv, or buffers it. The caller holds a permit. */
        void push(T message) {
            Waiter<?> receiver;
            synchronized (this) {
                if (receiving.isEmpty()) {
                    buffer.add(message);
                    return;
                }
                receiver = receiving.grantHead();
                releasePermit(); // handed over directly: it never occupied the buffer
            }
            deliver(receiver, message);
        }

        /**
         * Takes a permit and pushes in one step under this lock, so that a full channel is seen
         * full only when it really holds its capacity (lock order: channel, then semaphore).
         *
         * @return false when the bounded channel has no room (or senders queue for it)
         */
        boolean tryPush(T message) {
            Waiter<?> receiver;
            synchronized (this) {
                if (capacity != null && !capacity.tryAcquire()) {
                    return false;
                }
                if (receiving.isEmpty()) {
                    buffer.add(message);
                    return true;
                }
                receiver = receiving.grantHead();
                releasePermit();
            }
            deliver(receiver, message);
            return true;
        }

        @SuppressWarnings("unchecked")
        static <T> void deliver(Waiter<?> receiver, T message) {
            ((Waiter<T>) receiver).grant(message);
        }

        void releasePermit() {
            if (capacity != null) {
                capacity.release();
            }
        }
    }

    /**
     * A sending end; {@link #duplicate()} makes another for another producer. Close each when
     * done: the receiver sees the end when all are closed.
     */
    public static final class Sender<T> implements AutoCloseable {
        private final Chan<T> chan;
        private boolean closed; // guarded by chan

        private Sender(Chan<T> chan) {
            this.chan = chan;
        }

        /** A task completing once the message is in the channel (waiting for room if bounded). */
        public Task<Void> send(T message) {
            Objects.requireNonNull(message, "message");
            checkOpen();
            if (chan.tryPush(message)) {
                return SENT;
            }
            return AcquireTask.<Void>of(chan.capacity.acquire(), () -> null, sent -> chan.push(message),
                    sent -> chan.releasePermit());
        }

        /**
         * Sends if there is room now.
         *
         * @return false when the bounded channel is full
         * @throws ClosedException when the receiver is closed
         */
        public boolean trySend(T message) {
            Objects.requireNonNull(message, "message");
            checkOpen();
            return chan.tryPush(message);
        }

        /** A task completing with a permit to send one message without waiting (Tokio's reserve). */
        public Task<Permit<T>> reserve() {
            checkOpen();
            if (chan.capacity == null) {
                return Task.completed(new Permit<>(chan));
            }
            return AcquireTask.of(chan.capacity.acquire(), () -> new Permit<>(chan), permit -> { },
                    permit -> chan.releasePermit());
        }

        private void checkOpen() {
            synchronized (chan) {
                if (closed) {
                    throw new IllegalStateException("this sender is closed");
                }
                if (chan.receiverClosed) {
                    throw new ClosedException("the receiver is closed");
                }
            }
        }

        /** Another sender on the same channel. */
        public Sender<T> duplicate() {
            synchronized (chan) {
                if (closed) {
                    throw new IllegalStateException("this sender is closed");
                }
                chan.senders++;
            }
            return new Sender<>(chan);
        }

        @Override
        public void close() {
            Waiter<?> receiver = null;
            synchronized (chan) {
                if (closed) {
                    return;
                }
                closed = true;
                if (--chan.senders == 0 && chan.buffer.isEmpty() && !chan.receiving.isEmpty()) {
                    receiver = chan.receiving.grantHead();
                }
            }
            if (receiver != null) {
                Chan.deliver(receiver, null); // the end of the stream
            }
        }
    }

    /** A reserved slot: {@link #send} never waits. */
    public static final class Permit<T> {
        private final Chan<T> chan;
        private boolean used;

        private Permit(Chan<T> chan) {
            this.chan = chan;
        }

        public void send(T message) {
            Objects.requireNonNull(message, "message");
            if (used) {
                throw new IllegalStateException("this permit was used");
            }
            used = true;
            chan.push(message);
        }
    }

    /** The receiving end: one {@code recv} at a time. */
    public static final class Receiver<T> implements AutoCloseable {
        private final Chan<T> chan;

        private Receiver(Chan<T> chan) {
            this.chan = chan;
        }

        /** The next message, or null once every sender is closed and nothing is left. */
        public Task<T> recv() {
            T message;
            synchronized (chan) {
                message = chan.buffer.poll();
                if (message != null) {
                    chan.releasePermit(); // under the lock: the room appears with the removal
                } else {
                    if (chan.senders == 0 || chan.receiverClosed) {
                        return Task.completed(null);
                    }
                    if (!chan.receiving.isEmpty()) {
                        throw new IllegalStateException("a recv() is already pending on this receiver");
                    }
                    Waiter<T> waiter = new Waiter<>(chan, 0);
                    chan.receiving.add(waiter);
                    return waiter;
                }
            }
            return Task.completed(message);
        }

        /** The next message if one is buffered, else null; never waits. */
        public T tryRecv() {
            synchronized (chan) {
                T message = chan.buffer.poll();
                if (message != null) {
                    chan.releasePermit(); // under the lock: the room appears with the removal
                }
                return message;
            }
        }

        /** Refuses further sends; buffered messages can still be received. */
        @Override
        public void close() {
            synchronized (chan) {
                chan.receiverClosed = true;
            }
            if (chan.capacity != null) {
                chan.capacity.close(); // senders waiting for room fail with ClosedException
            }
        }
    }
}
