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

    /** The semaphore under test, starting with one permit. */
    public static class SemaphoreOps {
        private final Semaphore semaphore = new Semaphore(1);

        /** True when granted at once; false when queued (decided under the lock, unlike isDone()). */
        @Operation
        public boolean acquireNow() {
            return !(semaphore.acquire() instanceof Waiter<?>);
        }

        @Operation
        public boolean tryAcquire() {
            return semaphore.tryAcquire();
        }

        @Operation
        public void release() {
            semaphore.release();
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
        private int queued;

        public boolean acquireNow() {
            if (queued == 0 && permits >= 1) {
                permits--;
                return true;
            }
            queued++;
            return false;
        }

        public boolean tryAcquire() {
            if (queued == 0 && permits >= 1) {
                permits--;
                return true;
            }
            return false;
        }

        public void release() {
            permits++;
            while (queued > 0 && permits >= 1) {
                queued--;
                permits--;
            }
        }

        public long available() {
            return permits;
        }

        public int queued() {
            return queued;
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
