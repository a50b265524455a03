package io.krill.sync;

import io.krill.Task;
import io.krill.internal.task.AbstractTask;
import java.util.List;
import java.util.Objects;

/**
 * A broadcast channel with a fixed-capacity ring (Tokio's {@code broadcast}): every receiver
 * gets every message sent after it subscribed; one that falls more than the capacity behind
 * gets a {@link LaggedException} telling how many it missed, then continues from the oldest
 * message kept. A {@code recv} completing with null means the channel is closed and the
 * receiver has seen everything.
 *
 * @param <T> the message type (never null)
 */
public final class Broadcast<T> {

    private final Object[] ring;         // guarded by this
    private long tail;                   // guarded by this: position of the next message
    private int receivers;               // guarded by this
    private boolean closed;              // guarded by this
    private final WaitQueue waiting = new WaitQueue(); // guarded by this

    public Broadcast(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("broadcast capacity must be at least 1, got " + capacity);
        }
        this.ring = new Object[capacity];
    }

    /** A receiver that sees the messages sent from now on. */
    public synchronized Receiver<T> subscribe() {
        receivers++;
        return new Receiver<>(this, tail);
    }

    /**
     * Sends to every current receiver.
     *
     * @return how many receivers there are (0: nobody will see it)
     */
    public int send(T message) {
        Objects.requireNonNull(message, "message");
        List<Waiter<?>> woken;
        int count;
        synchronized (this) {
            if (closed) {
                throw new ClosedException("broadcast channel closed");
            }
            ring[(int) (tail % ring.length)] = message;
            tail++;
            woken = waiting.grantAll();
            for (Waiter<?> waiter : woken) {
                ReceiveWaiter<?> receive = (ReceiveWaiter<?>) waiter;
                receive.at = receive.receiver.position++; // it takes the message just sent
            }
            count = receivers;
        }
        for (Waiter<?> waiter : woken) {
            deliver(waiter, message);
        }
        return count;
    }

    @SuppressWarnings("unchecked")
    private static <T> void deliver(Waiter<?> waiter, T message) {
        ((Waiter<T>) waiter).grant(message);
    }

    /** No more sends; receivers drain what they have not seen, then get null. */
    public void close() {
        List<Waiter<?>> woken;
        synchronized (this) {
            closed = true;
            woken = waiting.grantAll();
        }
        for (Waiter<?> waiter : woken) {
            deliver(waiter, null);
        }
    }

    private static final class ReceiveWaiter<T> extends Waiter<T> {
        final Receiver<T> receiver;
        long at = -1; // written under the lock: the position of the message it was granted

        ReceiveWaiter(Object lock, Receiver<T> receiver) {
            super(lock, 0);
            this.receiver = receiver;
        }

        @Override
        protected void handBack(T message) {
            if (message != null) {
                receiver.unreceive(at);
            }
        }
    }

    /** A recv that found its message in the ring: born completed; gives its position back like a waiter. */
    private static final class Received<T> extends AbstractTask<T> {
        private final Receiver<T> receiver;
        private final long at;

        Received(Receiver<T> receiver, T message, long at) {
            super(message);
            this.receiver = receiver;
            this.at = at;
        }

        @Override
        protected void handBack(T message) {
            receiver.unreceive(at);
        }
    }

    /** One subscriber's view: its own position in the stream. One {@code recv} at a time. */
    public static final class Receiver<T> implements AutoCloseable {
        private final Broadcast<T> channel;
        private long position; // guarded by channel
        private boolean unsubscribed; // guarded by channel

        private Receiver(Broadcast<T> channel, long position) {
            this.channel = channel;
            this.position = position;
        }

        /**
         * The next message; a failure with {@link LaggedException} if this receiver fell behind
         * (it then resumes at the oldest kept message); null when closed and drained.
         *
         * <p>Cancel-safe (as Tokio's): cancelled while it waits, its position is unchanged; a
         * message it received that nobody took moves its position back, so the next
         * {@code recv} returns it again (or reports the lag, if the ring overwrote it since).
         */
        @SuppressWarnings("unchecked")
        public Task<T> recv() {
            synchronized (channel) {
                if (unsubscribed) {
                    throw new IllegalStateException("this receiver is closed");
                }
                long oldest = Math.max(0, channel.tail - channel.ring.length);
                if (position < oldest) {
                    long missed = oldest - position;
                    position = oldest;
                    return Task.failed(new LaggedException(missed));
                }
                if (position < channel.tail) {
                    T message = (T) channel.ring[(int) (position % channel.ring.length)];
                    return new Received<>(this, message, position++);
                }
                if (channel.closed) {
                    return Task.completed(null);
                }
                ReceiveWaiter<T> waiter = new ReceiveWaiter<>(channel, this);
                channel.waiting.add(waiter);
                return waiter;
            }
        }

        /**
         * The message at {@code at}, received and taken by nobody, is this receiver's next again
         * (if it has moved on since, nothing; if the ring has overwritten it since, the next recv
         * reports the lag, as it would have).
         */
        private void unreceive(long at) {
            synchronized (channel) {
                if (position == at + 1) {
                    position = at;
                }
            }
        }

        /** Unsubscribes: later sends no longer count it. */
        @Override
        public void close() {
            synchronized (channel) {
                if (!unsubscribed) {
                    unsubscribed = true;
                    channel.receivers--;
                }
            }
        }
    }
}
