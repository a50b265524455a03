package io.krill.sync;

import io.krill.Task;
import io.krill.internal.memory.Reaper;
import io.krill.internal.task.AbstractTask;
import java.lang.ref.Reference;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

/**
 * Multi-producer, single-consumer channels (Tokio's {@code mpsc}). Bounded: {@code send} waits
 * for capacity. Unbounded: {@code send} never waits. Messages are never null: a {@code recv}
 * that completes with null means every sender is closed and the buffer is drained. When the
 * receiver is closed, sends fail with {@link ClosedException}.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>One monitor (the channel state's) guards everything, capacity included, so a message
 * costs one lock on each side. Room is {@code buffer.size() + reserved < capacity}, where
 * {@code reserved} counts {@link Permit}s handed out and not yet used; a send or reserve that
 * finds no room, or finds others already waiting for it, joins the {@code sending} FIFO. Each
 * time room appears (a message taken, a permit used or refunded) the oldest waiters are
 * admitted in order: a sender's message goes to the pending {@code recv} or into the buffer, a
 * reserver's slot is counted. Waiters admitted under the lock are completed after it.
 *
 * <p>Cancellation: a queued send or reserve leaves the queue; an admitted send has sent (its
 * cancel returns false); an admitted reserve may still be cancelled until its task completes,
 * and the slot is then given back. A received message nobody took goes back to the head of
 * the channel. Each method says what that makes it under a timeout and in a race.
 */
public final class Mpsc {

    private Mpsc() {}

    /** The two ends of a channel. */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    public static <T> Channel<T> bounded(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("channel capacity must be at least 1, got " + capacity);
        }
        Chan<T> chan = new Chan<>(capacity);
        return new Channel<>(new Sender<>(chan), new Receiver<>(chan));
    }

    public static <T> Channel<T> unbounded() {
        Chan<T> chan = new Chan<>(Chan.UNBOUNDED);
        return new Channel<>(new Sender<>(chan), new Receiver<>(chan));
    }

    private static final Task<Void> SENT = Task.completed(null);
    private static final Task<Object> ENDED = Task.completed(null);

    /** The shared state; its monitor guards every field. */
    private static final class Chan<T> {
        static final int UNBOUNDED = -1;

        final int capacity; // UNBOUNDED, or the most messages buffered plus permits reserved
        final ArrayDeque<T> buffer = new ArrayDeque<>();
        final WaitQueue sending = new WaitQueue();   // sends and reserves waiting for room, FIFO
        final WaitQueue receiving = new WaitQueue(); // the pending recv, at most one
        int reserved;                                // permits out (bounded only)
        private PermitRef<T> permits;                // the permits out, to find one dropped unused (bounded only)
        int senders = 1;
        boolean receiverClosed;
        /** Admitted under the lock, chained through {@code next}; completed after it. */
        private Waiter<?> admitted;
        private Waiter<?> admittedTail;

        Chan(int capacity) {
            this.capacity = capacity;
        }

        boolean bounded() {
            return capacity != UNBOUNDED;
        }

        /** Room for one more message or permit, and nobody waiting for it before. */
        boolean hasRoomLocked() {
            return sending.isEmpty() && freeSlotLocked();
        }

        private boolean freeSlotLocked() {
            return capacity == UNBOUNDED || buffer.size() + reserved < capacity;
        }

        void checkOpenLocked(Sender<T> sender) {
            if (sender.closed) {
                throw new IllegalStateException("this sender is closed");
            }
            if (receiverClosed) {
                throw new ClosedException("the receiver is closed");
            }
        }

        /** Hands {@code message} to the pending recv, or buffers it. The caller has the room. */
        void pushLocked(T message) {
            if (receiving.isEmpty()) {
                buffer.add(message);
                return;
            }
            handToPendingRecvLocked(message);
        }

        /** The pending recv gets {@code message}, completed once the lock is released. */
        private void handToPendingRecvLocked(T message) {
            RecvWaiter<?> receiver = (RecvWaiter<?>) receiving.grantHead();
            receiver.message = message;
            chainLocked(receiver);
        }

        /** Admits the oldest waiting sends and reserves while there is room. */
        void admitLocked() {
            while (!sending.isEmpty() && freeSlotLocked()) {
                Waiter<?> head = sending.grantHead();
                if (head instanceof SendWaiter<?> send) {
                    pushLocked(cast(send.message));
                } else {
                    reserved++;
                }
                chainLocked(head);
            }
        }

        private void chainLocked(Waiter<?> waiter) {
            if (admittedTail == null) {
                admitted = waiter;
            } else {
                admittedTail.next = waiter; // unlinked from its queue: the link is free
            }
            admittedTail = waiter;
        }

        /** Takes the waiters admitted under the lock, to complete once it is released. */
        Waiter<?> takeAdmittedLocked() {
            Waiter<?> chain = admitted;
            admitted = null;
            admittedTail = null;
            return chain;
        }

        static void complete(Waiter<?> chain) {
            while (chain != null) { // outside the lock: waking runs no code under it
                Waiter<?> next = chain.next;
                chain.next = null;
                ((ChanWaiter<?>) chain).deliver();
                chain = next;
            }
        }

        /**
         * A received message nobody took (its recv lost a race, or was cancelled with its
         * continuation): it goes back first in line, to the pending recv if there is one, else to
         * the buffer's head, even past capacity (it held a place a moment ago).
         */
        void unreceive(T message) {
            Waiter<?> chain;
            synchronized (this) {
                if (receiving.isEmpty()) {
                    buffer.addFirst(message);
                    return;
                }
                handToPendingRecvLocked(message);
                chain = takeAdmittedLocked();
            }
            complete(chain);
        }

        /** A new permit for a slot already counted in {@code reserved}; watched for a drop when bounded. */
        Permit<T> newPermitLocked() {
            Permit<T> permit = new Permit<>(this);
            if (bounded()) {
                PermitRef<T> ref = new PermitRef<>(permit, this);
                ref.next = permits;
                if (permits != null) {
                    permits.prev = ref;
                }
                permits = ref;
                permit.ref = ref;
            }
            return permit;
        }

        /** Stops watching {@code ref}; false if it was not watched (already given back). */
        boolean untrackLocked(PermitRef<T> ref) {
            if (!ref.tracked) {
                return false;
            }
            ref.tracked = false;
            if (ref.prev != null) {
                ref.prev.next = ref.next;
            } else {
                permits = ref.next;
            }
            if (ref.next != null) {
                ref.next.prev = ref.prev;
            }
            ref.prev = null;
            ref.next = null;
            return true;
        }

        /**
         * A permit's slot goes back unused (closed, or dropped and collected): to the next in
         * line. Nothing if it was given back already.
         */
        void giveBack(PermitRef<T> ref) {
            Waiter<?> chain;
            synchronized (this) {
                if (!untrackLocked(ref)) {
                    return;
                }
                reserved--;
                admitLocked();
                chain = takeAdmittedLocked();
            }
            complete(chain);
        }

        @SuppressWarnings("unchecked")
        T cast(Object message) {
            return (T) message;
        }
    }

    /** A waiter of the channel: admitted under the lock, {@link #deliver()}ed after it. */
    private abstract static class ChanWaiter<R> extends Waiter<R> {
        ChanWaiter(Chan<?> chan) {
            super(chan, 1);
        }

        abstract void deliver();
    }

    /** The pending recv; handed its message under the lock. */
    private static final class RecvWaiter<T> extends ChanWaiter<T> {
        private final Chan<T> chan;
        Object message; // guarded by the lock until delivered; null: the end of the stream

        RecvWaiter(Chan<T> chan) {
            super(chan);
            this.chan = chan;
        }

        @Override
        @SuppressWarnings("unchecked")
        void deliver() {
            grant((T) message);
        }

        @Override
        protected void handBack(T message) {
            if (message != null) {
                chan.unreceive(message);
            }
        }
    }

    /** A recv that found a message buffered: born completed, and gives it back like a {@link RecvWaiter}. */
    private static final class Received<T> extends AbstractTask<T> {
        private final Chan<T> chan;

        Received(Chan<T> chan, T message) {
            super(message);
            this.chan = chan;
        }

        @Override
        protected void handBack(T message) {
            chan.unreceive(message);
        }
    }

    /** A send waiting for room; once admitted its message is in the channel. */
    private static final class SendWaiter<T> extends ChanWaiter<Void> {
        final T message;

        SendWaiter(Chan<?> chan, T message) {
            super(chan);
            this.message = message;
        }

        @Override
        void deliver() {
            grant(null);
        }
    }

    /** A reserve waiting for room; cancellable until completed (the slot is then refunded). */
    private static final class ReserveWaiter<T> extends ChanWaiter<Permit<T>> {
        private final Chan<T> chan;

        ReserveWaiter(Chan<T> chan) {
            super(chan);
            this.chan = chan;
        }

        @Override
        void deliver() {
            Permit<T> permit;
            synchronized (chan) {
                permit = chan.newPermitLocked();
            }
            if (!completeValue(permit)) {
                permit.close(); // cancelled after it was admitted (the result CAS decided): the slot goes back, once
            }
        }

        @Override
        public boolean cancel() {
            synchronized (chan) {
                if (queued) {
                    WaitQueue.unlink(this); // it held no slot: nobody behind it gains room
                }
            }
            return completeCancelled();
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

        /**
         * A task completing once the message is in the channel (waiting for room if bounded).
         *
         * <p>Cancel safety: cancelled while it waits for room, the message was not sent; under
         * a timeout, a send admitted as the timer fired is reported as sent, so a caller that
         * retries on timeout never sends twice. A send that is admitted as it loses a race has
         * been sent although the race reports the other branch: in a race, use
         * {@link #reserve()} (a permit nobody takes gives its slot back) and send with the
         * permit.
         */
        public Task<Void> send(T message) {
            Objects.requireNonNull(message, "message");
            Waiter<?> chain;
            synchronized (chan) {
                chan.checkOpenLocked(this);
                if (!chan.hasRoomLocked()) {
                    SendWaiter<T> waiter = new SendWaiter<>(chan, message);
                    chan.sending.add(waiter);
                    return waiter;
                }
                chan.pushLocked(message);
                chain = chan.takeAdmittedLocked();
            }
            Chan.complete(chain);
            return SENT;
        }

        /**
         * Sends if there is room now.
         *
         * @return false when the bounded channel is full (or others wait for room)
         * @throws ClosedException when the receiver is closed
         */
        public boolean trySend(T message) {
            Objects.requireNonNull(message, "message");
            Waiter<?> chain;
            synchronized (chan) {
                chan.checkOpenLocked(this);
                if (!chan.hasRoomLocked()) {
                    return false;
                }
                chan.pushLocked(message);
                chain = chan.takeAdmittedLocked();
            }
            Chan.complete(chain);
            return true;
        }

        /**
         * A task completing with a permit to send one message without waiting (Tokio's
         * reserve). Cancel-safe: cancelled before it completes, it holds no slot; a permit
         * nobody took (a lost race, a cancelled continuation) is closed and its slot given back.
         */
        public Task<Permit<T>> reserve() {
            Permit<T> permit;
            synchronized (chan) {
                chan.checkOpenLocked(this);
                if (chan.bounded()) {
                    if (!chan.hasRoomLocked()) {
                        ReserveWaiter<T> waiter = new ReserveWaiter<>(chan);
                        chan.sending.add(waiter);
                        return waiter;
                    }
                    chan.reserved++;
                }
                permit = chan.newPermitLocked();
            }
            return Task.completed(permit);
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
                    receiver = chan.receiving.grantHead(); // its message stays null: the end
                }
            }
            Chan.complete(receiver);
        }
    }

    /**
     * A reserved slot: {@link #send} never waits. A permit that will not be used gives its slot
     * back with {@link #close()} (Tokio's drop), so a reserve that lost a race or a timeout, or
     * a caller that changed its mind, does not shrink the channel for good; a race or a
     * timeout that was too late to cancel the reserve closes it itself. A permit of a bounded
     * channel that is dropped unused, neither sent nor closed, gives its slot back once the
     * garbage collector finds it unreachable: later than a close would, but the channel's
     * capacity is never lost for good.
     */
    public static final class Permit<T> implements AutoCloseable {
        private final Chan<T> chan;
        private PermitRef<T> ref; // set once, under the channel's lock, before the permit is shared; null when unbounded
        private boolean used;     // plain: a permit has one owner

        private Permit(Chan<T> chan) {
            this.chan = chan;
        }

        public void send(T message) {
            Objects.requireNonNull(message, "message");
            if (used) {
                throw new IllegalStateException("this permit was used or closed");
            }
            used = true;
            Waiter<?> chain;
            synchronized (chan) {
                if (ref != null) {
                    chan.untrackLocked(ref);
                    chan.reserved--; // the slot now holds the message, or frees if handed over
                }
                chan.pushLocked(message);
                chan.admitLocked();
                chain = chan.takeAdmittedLocked();
            }
            // Reachable to here: else the JIT may let this permit die inside send, and the
            // reaper would give back the slot this send is filling.
            Reference.reachabilityFence(this);
            Chan.complete(chain);
        }

        /** Gives the slot back unused (the next waiting sender or reserve may take it); after a send, or twice, nothing. */
        @Override
        public void close() {
            if (used) {
                return;
            }
            used = true;
            if (ref != null) {
                chan.giveBack(ref);
            }
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Watches one permit of a bounded channel for a drop ({@link Reaper}): the channel keeps it
     * in a list under its lock, which reserve and send hold anyway, so watching costs an
     * allocation and two links, until the permit is sent or closed. A permit collected while
     * still watched was dropped unused: its slot goes back.
     */
    private static final class PermitRef<T> extends Reaper.Watched<Permit<T>> {
        final Chan<T> chan;
        PermitRef<T> prev; // guarded by chan
        PermitRef<T> next;
        boolean tracked = true;

        PermitRef(Permit<T> permit, Chan<T> chan) {
            super(permit);
            this.chan = chan;
        }

        @Override
        protected void dropped() {
            chan.giveBack(this);
        }
    }

    /** The receiving end: one {@code recv} at a time. */
    public static final class Receiver<T> implements AutoCloseable {
        private final Chan<T> chan;

        private Receiver(Chan<T> chan) {
            this.chan = chan;
        }

        /**
         * The next message, or null once every sender is closed and nothing is left.
         *
         * <p>Cancel-safe (as Tokio's): cancelled while it waits, it takes nothing; a message it
         * received that nobody took (it lost a race, its continuation was cancelled before its
         * function ran) goes back to the head of the channel for the next {@code recv}, and a
         * timeout that fires as it receives delivers the message. A {@code map} whose function
         * already ran on the message owns what it made of it: race the {@code recv} itself.
         *
         * <p>With a message ready the task is born completed: one small object, which C2 removes
         * when the caller reads it at once (0 B/op in SyncBenchmark), but which a caller keeping
         * the task (a coroutine's field) pays for. Such a loop allocates nothing by trying
         * {@link #tryRecv()} first and calling {@code recv()} only when it returns null. (Handing
         * out one reused task instead would change a completed task's result under whoever
         * still holds it.)
         */
        @SuppressWarnings("unchecked")
        public Task<T> recv() {
            T message;
            Waiter<?> chain;
            synchronized (chan) {
                message = chan.buffer.poll();
                if (message == null) {
                    if (chan.senders == 0 || chan.receiverClosed) {
                        return (Task<T>) ENDED;
                    }
                    if (!chan.receiving.isEmpty()) {
                        throw new IllegalStateException("a recv() is already pending on this receiver");
                    }
                    RecvWaiter<T> waiter = new RecvWaiter<>(chan);
                    chan.receiving.add(waiter);
                    return waiter;
                }
                chan.admitLocked(); // the room just made goes to the oldest waiting sender
                chain = chan.takeAdmittedLocked();
            }
            Chan.complete(chain);
            return new Received<>(chan, message);
        }

        /** The next message if one is buffered, else null; never waits. */
        public T tryRecv() {
            T message;
            Waiter<?> chain;
            synchronized (chan) {
                message = chan.buffer.poll();
                if (message == null) {
                    return null;
                }
                chan.admitLocked();
                chain = chan.takeAdmittedLocked();
            }
            Chan.complete(chain);
            return message;
        }

        /** Refuses further sends, failing those waiting for room; buffered messages can still be received. */
        @Override
        public void close() {
            List<Waiter<?>> refused;
            synchronized (chan) {
                chan.receiverClosed = true;
                refused = chan.sending.grantAll();
            }
            for (Waiter<?> waiter : refused) {
                waiter.refuse(new ClosedException("the receiver is closed"));
            }
        }
    }
}
