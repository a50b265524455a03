package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.EpollNative;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.SocketNative;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Four threads queue the same few slots through the table's QUEUED protocol (markQueued, push)
 * while one taker drains: every slot is on the stack at most once at any time, and every queueing
 * is served (a slot queued is always taken later).
 */
@EnabledOnOs(OS.LINUX)
class ReadyStackStressTest {

    @Test
    void concurrentPushersAndOneTakerNeverDuplicateOrLoseASlot() throws Exception {
        NativeLibrary.load();
        int epfd = EpollNative.epollCreate();
        ConnectionTable table = new ConnectionTable(JniNativeIo.load());
        table.bindEpolls(new int[] {epfd});
        ReadyStack stack = new ReadyStack(table);
        int slots = 4; // tiny: every push contends
        int[] indices = new int[slots];
        long[] tokens = new long[slots];
        try {
            int id = table.addGroup((owner, index) -> stack.push(index));
            for (int i = 0; i < slots; i++) {
                tokens[i] = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
                indices[i] = ConnectionTable.indexOfToken(tokens[i]);
            }
            AtomicIntegerArray onStack = new AtomicIntegerArray(slots * 2);
            AtomicIntegerArray queuedBy = new AtomicIntegerArray(slots * 2);
            int pushers = 4;
            int queueingsEach = 2_000; // each pusher must queue this often: only the taker's takes make that possible
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            java.util.concurrent.atomic.AtomicBoolean stuck = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch done = new CountDownLatch(pushers);
            for (int p = 0; p < pushers; p++) {
                int seed = p;
                Thread.ofPlatform().start(() -> {
                    int queued = 0;
                    for (int r = 0; queued < queueingsEach; r++) {
                        int index = indices[(r + seed) % slots];
                        if (table.markQueued(tokens[(r + seed) % slots])) {
                            onStack.incrementAndGet(index);
                            queuedBy.incrementAndGet(index);
                            stack.push(index);
                            queued++;
                        }
                        if ((r & 1023) == 0 && System.nanoTime() > deadline) {
                            stuck.set(true); // the taker stopped taking: fail below rather than hang
                            break;
                        }
                    }
                    done.countDown();
                });
            }
            long taken = 0;
            int maxTwice = 0;
            while (done.getCount() > 0 || !stack.isEmpty()) {
                for (int index = stack.takeAll(); index != ReadyStack.EMPTY; ) {
                    int next = stack.next(index);
                    maxTwice = Math.max(maxTwice, onStack.get(index));
                    onStack.decrementAndGet(index);
                    table.takeReady(index); // clears QUEUED: pushers may queue it again
                    taken++;
                    index = next;
                }
            }
            long queued = 0;
            for (int index : indices) {
                queued += queuedBy.get(index);
            }
            assertEquals(1, maxTwice, "a slot was on the stack twice");
            assertEquals(queued, taken, "every queueing was taken exactly once");
            assertFalse(stuck.get(), "the pushers could not queue: slots stayed QUEUED");
            assertEquals((long) pushers * queueingsEach, taken, "every queueing was taken, so the pushers raced the taker");
        } finally {
            for (int index : indices) {
                table.deregister(table.tokenOf(index), true);
            }
            table.close();
            SocketNative.close(epfd);
        }
    }
}
