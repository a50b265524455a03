package io.krill.sync;

import static io.krill.LincheckScenarios.NONE;
import static io.krill.LincheckScenarios.scenario;

import io.krill.Task;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checks against sequential specifications: the semaphore (including queued
 * acquires granted by releases, FIFO, and cancellation), the bounded mpsc channel's
 * non-waiting operations, and the waiting operations of the bounded mpsc channel and of
 * broadcast (queued sends, pending receives granted by sends and closes, cancelled receives).
 *
 * <p>A waiting operation's outcome is decided under the primitive's lock (the waiter is granted
 * there) and its task completed just after; so the operations below read that decision under
 * the same lock, never {@code isDone()}, which would be a step behind.
 */
class SyncLincheckTest {

    /**
     * The semaphore under test, starting with one permit: lock-free fast paths (tryAcquire,
     * release without waiters) against queueing, granting and cancelling under the monitor.
     */
    public static class SemaphoreOps {
        private final Semaphore semaphore = new Semaphore(1);

        /** True when granted at once; false when queued (decided under the lock, unlike isDone()). */
        @Operation
        public boolean acquireNow() {
            return !(semaphore.acquire() instanceof Waiter<?>);
        }

        /** As acquireNow, for two permits: a head that needs more than is free holds back those behind. */
        @Operation
        public boolean acquireTwoNow() {
            return !(semaphore.acquire(2) instanceof Waiter<?>);
        }

        @Operation
        public boolean tryAcquire() {
            return semaphore.tryAcquire();
        }

        @Operation
        public void release() {
            semaphore.release();
        }

        /** Cancels the oldest queued acquire (picked and cancelled atomically: the monitor is reentrant). */
        @Operation
        public boolean cancelHead() {
            synchronized (semaphore) {
                Waiter<?> head = semaphore.queue.peek();
                return head != null && head.cancel();
            }
        }

        @Operation
        public long available() {
            return semaphore.availablePermits();
        }

        @Operation
        public int queued() {
            return semaphore.queuedWaiters();
        }
    }

    public static class SemaphoreSpec {
        private long permits = 1;
        private final ArrayDeque<Long> queue = new ArrayDeque<>(); // amounts, oldest first

        private boolean acquire(long n) {
            if (queue.isEmpty() && permits >= n) {
                permits -= n;
                return true;
            }
            queue.add(n);
            return false;
        }

        private void grant() {
            while (!queue.isEmpty() && queue.peek() <= permits) {
                permits -= queue.poll();
            }
        }

        public boolean acquireNow() {
            return acquire(1);
        }

        public boolean acquireTwoNow() {
            return acquire(2);
        }

        public boolean tryAcquire() {
            if (queue.isEmpty() && permits >= 1) {
                permits--;
                return true;
            }
            return false;
        }

        public void release() {
            permits++;
            grant();
        }

        public boolean cancelHead() {
            if (queue.isEmpty()) {
                return false;
            }
            queue.poll();
            grant();
            return true;
        }

        public long available() {
            return permits;
        }

        public int queued() {
            return queue.size();
        }
    }

    /** A bounded channel of capacity 2: trySend and tryRecv from any thread. */
    public static class ChannelOps {
        private final Mpsc.Channel<Integer> channel = Mpsc.bounded(2);

        @Operation
        public boolean sendOne() {
            return channel.sender().trySend(1);
        }

        @Operation
        public boolean sendTwo() {
            return channel.sender().trySend(2);
        }

        @Operation(nonParallelGroup = "receiver")
        public Integer tryRecv() {
            return channel.receiver().tryRecv();
        }
    }

    public static class ChannelSpec {
        private final ArrayDeque<Integer> buffer = new ArrayDeque<>();

        private boolean send(int value) {
            if (buffer.size() == 2) {
                return false;
            }
            buffer.add(value);
            return true;
        }

        public boolean sendOne() {
            return send(1);
        }

        public boolean sendTwo() {
            return send(2);
        }

        public Integer tryRecv() {
            return buffer.poll();
        }
    }

    /** The pending task once granted under its lock (waiting out the completion just after), else null. */
    static <T> Task<T> grantedOrNull(Task<T> pending) {
        Waiter<?> waiter = (Waiter<?>) pending;
        synchronized (waiter.lock) {
            if (!waiter.granted) {
                return null;
            }
        }
        while (!pending.isDone()) {
            Thread.onSpinWait(); // the granter completes it right after leaving the lock
        }
        return pending;
    }

    /**
     * A bounded channel of capacity 1 with waiting operations: sends that queue for room, a
     * pending recv handed a message (or the end) by a send, an admission or a close, cancelled
     * receives, and both ends closing.
     */
    public static class WaitingChannelOps {
        private final Mpsc.Channel<Integer> channel;
        private Task<Integer> pendingRecv; // only the receiver group's thread touches it

        public WaitingChannelOps() {
            this(Mpsc.bounded(1));
        }

        WaitingChannelOps(Mpsc.Channel<Integer> channel) {
            this.channel = channel;
        }

        private String send(int value) {
            try {
                return channel.sender().send(value) instanceof Waiter<?> ? "queued" : "sent";
            } catch (ClosedException e) {
                return "closed";
            } catch (IllegalStateException e) {
                return "sender closed";
            }
        }

        @Operation
        public String sendOne() {
            return send(1);
        }

        @Operation
        public String sendTwo() {
            return send(2);
        }

        @Operation(runOnce = true) // an end state: at most once, so the scenarios mostly exercise waiting
        public void closeSender() {
            channel.sender().close();
        }

        /** The next message, "waiting" while a recv is pending, "null" at the end. */
        @Operation(nonParallelGroup = "receiver")
        public String recv() {
            if (pendingRecv != null) {
                Task<Integer> granted = grantedOrNull(pendingRecv);
                if (granted == null) {
                    return "waiting";
                }
                pendingRecv = null;
                return String.valueOf(granted.resultNow());
            }
            Task<Integer> task = channel.receiver().recv();
            if (task instanceof Waiter<?>) {
                pendingRecv = task;
                return "waiting";
            }
            return String.valueOf(task.resultNow());
        }

        /** Cancels the pending recv: "cancelled", or the message it was granted first (never lost). */
        @Operation(nonParallelGroup = "receiver")
        public String cancelRecv() {
            Task<Integer> task = pendingRecv;
            if (task == null) {
                return "none";
            }
            pendingRecv = null;
            if (task.cancel()) {
                return "cancelled";
            }
            while (!task.isDone()) {
                Thread.onSpinWait(); // granted: completed right after the granter's lock
            }
            return String.valueOf(task.resultNow());
        }

        @Operation(nonParallelGroup = "receiver", runOnce = true)
        public void closeReceiver() {
            channel.receiver().close();
        }
    }

    public static class WaitingChannelSpec {
        private final int capacity;
        private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
        private final ArrayDeque<Integer> queued = new ArrayDeque<>();
        private boolean pending;
        private boolean granted;
        private Integer grantedValue;
        private boolean senderClosed;
        private boolean receiverClosed;

        public WaitingChannelSpec() {
            this(1);
        }

        WaitingChannelSpec(int capacity) {
            this.capacity = capacity;
        }

        private void push(Integer value) {
            if (pending && !granted) {
                granted = true;
                grantedValue = value;
            } else {
                buffer.add(value);
            }
        }

        private String send(int value) {
            if (senderClosed) {
                return "sender closed";
            }
            if (receiverClosed) {
                return "closed";
            }
            if (!queued.isEmpty() || buffer.size() >= capacity) {
                queued.add(value);
                return "queued";
            }
            push(value);
            return "sent";
        }

        public String sendOne() {
            return send(1);
        }

        public String sendTwo() {
            return send(2);
        }

        public void closeSender() {
            if (!senderClosed) {
                senderClosed = true;
                if (buffer.isEmpty() && pending && !granted) {
                    granted = true;
                    grantedValue = null;
                }
            }
        }

        public String recv() {
            if (pending) {
                if (!granted) {
                    return "waiting";
                }
                pending = false;
                granted = false;
                return String.valueOf(grantedValue);
            }
            Integer message = buffer.poll();
            if (message != null) {
                if (!queued.isEmpty()) {
                    push(queued.poll()); // the room just made goes to the oldest waiting send
                }
                return String.valueOf(message);
            }
            if (senderClosed || receiverClosed) {
                return "null";
            }
            pending = true;
            return "waiting";
        }

        public String cancelRecv() {
            if (!pending) {
                return "none";
            }
            pending = false;
            if (!granted) {
                return "cancelled";
            }
            granted = false;
            return String.valueOf(grantedValue);
        }

        public void closeReceiver() {
            receiverClosed = true;
            queued.clear(); // waiting sends fail; what was buffered stays readable
        }
    }

    /**
     * A broadcast channel of capacity 2 with two receivers, each in its own thread: pending
     * receives granted by sends and by close, lag counted exactly.
     */
    public static class BroadcastOps {
        private final Broadcast<Integer> channel = new Broadcast<>(2);
        private final Subscriber a = new Subscriber(channel.subscribe()); // only group a's thread
        private final Subscriber b = new Subscriber(channel.subscribe()); // only group b's thread

        /** A receiver and its pending recv. */
        private static final class Subscriber {
            private final Broadcast.Receiver<Integer> receiver;
            private Task<Integer> pending;

            Subscriber(Broadcast.Receiver<Integer> receiver) {
                this.receiver = receiver;
            }

            String recv() {
                if (pending != null) {
                    Task<Integer> granted = grantedOrNull(pending);
                    if (granted == null) {
                        return "waiting";
                    }
                    pending = null;
                    return String.valueOf(granted.resultNow());
                }
                Task<Integer> task = receiver.recv();
                if (task instanceof Waiter<?>) {
                    pending = task;
                    return "waiting";
                }
                if (task.failureNow() instanceof LaggedException lagged) {
                    return "lagged " + lagged.missed();
                }
                return String.valueOf(task.resultNow());
            }
        }

        private String send(int value) {
            try {
                return "sent to " + channel.send(value);
            } catch (ClosedException e) {
                return "closed";
            }
        }

        @Operation
        public String sendOne() {
            return send(1);
        }

        @Operation
        public String sendTwo() {
            return send(2);
        }

        @Operation(runOnce = true)
        public void close() {
            channel.close();
        }

        @Operation(nonParallelGroup = "a")
        public String recvA() {
            return a.recv();
        }

        @Operation(nonParallelGroup = "b")
        public String recvB() {
            return b.recv();
        }
    }

    public static class BroadcastSpec {
        private final Integer[] ring = new Integer[2];
        private long tail;
        private boolean closed;
        private final Subscriber a = new Subscriber();
        private final Subscriber b = new Subscriber();

        private static final class Subscriber {
            long position;
            boolean pending;
            boolean granted;
            Integer value;
        }

        private String send(int value) {
            if (closed) {
                return "closed";
            }
            ring[(int) (tail % ring.length)] = value;
            tail++;
            for (Subscriber s : new Subscriber[] {a, b}) {
                if (s.pending && !s.granted) {
                    s.granted = true;
                    s.value = value;
                    s.position++;
                }
            }
            return "sent to 2";
        }

        public String sendOne() {
            return send(1);
        }

        public String sendTwo() {
            return send(2);
        }

        public void close() {
            closed = true;
            for (Subscriber s : new Subscriber[] {a, b}) {
                if (s.pending && !s.granted) {
                    s.granted = true;
                    s.value = null;
                }
            }
        }

        private String recv(Subscriber s) {
            if (s.pending) {
                if (!s.granted) {
                    return "waiting";
                }
                s.pending = false;
                s.granted = false;
                return String.valueOf(s.value);
            }
            long oldest = Math.max(0, tail - ring.length);
            if (s.position < oldest) {
                long missed = oldest - s.position;
                s.position = oldest;
                return "lagged " + missed;
            }
            if (s.position < tail) {
                return String.valueOf(ring[(int) (s.position++ % ring.length)]);
            }
            if (closed) {
                return "null";
            }
            s.pending = true;
            return "waiting";
        }

        public String recvA() {
            return recv(a);
        }

        public String recvB() {
            return recv(b);
        }
    }

    @Test
    void semaphore() {
        new ModelCheckingOptions().iterations(20).invocationsPerIteration(300).threads(3).actorsPerThread(2)
                .sequentialSpecification(SemaphoreSpec.class).check(SemaphoreOps.class);
    }

    @Test
    void boundedChannel() {
        new ModelCheckingOptions().iterations(20).invocationsPerIteration(300).threads(3).actorsPerThread(2)
                .sequentialSpecification(ChannelSpec.class).check(ChannelOps.class);
    }

    @Test
    void boundedChannelWaiting() {
        Class<?> ops = WaitingChannelOps.class;
        new ModelCheckingOptions().iterations(15).invocationsPerIteration(300).threads(3).actorsPerThread(2)
                // a cancel racing the send that grants the pending recv: the message is never lost
                .addCustomScenario(scenario(ops, NONE,
                        new String[][] {{"recv", "cancelRecv", "recv"}, {"sendOne", "sendTwo"}}, new String[] {"recv"}))
                // a queued send admitted by the recv that makes room, in order
                .addCustomScenario(scenario(ops, new String[] {"sendOne"},
                        new String[][] {{"recv", "recv"}, {"sendTwo", "sendOne"}}, new String[] {"recv", "recv"}))
                // the last sender closing ends a pending recv; the receiver closing fails queued sends
                .addCustomScenario(scenario(ops, NONE,
                        new String[][] {{"recv", "recv"}, {"sendOne", "closeSender"}}, new String[] {"recv"}))
                .addCustomScenario(scenario(ops, new String[] {"sendOne"},
                        new String[][] {{"closeReceiver", "recv"}, {"sendTwo", "sendOne"}}, new String[] {"recv"}))
                .sequentialSpecification(WaitingChannelSpec.class).check(ops);
    }

    @Test
    void broadcastWaiting() {
        Class<?> ops = BroadcastOps.class;
        new ModelCheckingOptions().iterations(15).invocationsPerIteration(300).threads(3).actorsPerThread(2)
                // two pending receivers granted by the same sends, one of them lagging, then close
                .addCustomScenario(scenario(ops, new String[] {"sendOne"},
                        new String[][] {{"recvA", "recvA", "recvA"}, {"sendTwo", "sendOne", "close"}, {"recvB"}},
                        new String[] {"recvB", "recvB", "recvA"}))
                .sequentialSpecification(BroadcastSpec.class).check(ops);
    }
}
