package io.krill.sync;

import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checks against sequential specifications: the semaphore (including queued
 * acquires granted by releases, FIFO) and the bounded mpsc channel's non-waiting operations.
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
}
