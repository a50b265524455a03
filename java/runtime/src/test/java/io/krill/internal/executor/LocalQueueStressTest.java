package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.task.ScheduledTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One owner pushing and popping a queue of capacity 4 while three thieves steal from it into
 * their own queues: every task must come out exactly once, through a pop, a steal or the
 * overflow to the inject queue.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalQueueStressTest {

    private static final int TASKS = 300_000;
    private static final int THIEVES = 3;

    @Test
    void everyTaskComesOutExactlyOnce() throws InterruptedException {
        LocalQueueTest.Marker[] markers = new LocalQueueTest.Marker[TASKS];
        for (int i = 0; i < TASKS; i++) {
            markers[i] = new LocalQueueTest.Marker(i);
        }
        AtomicIntegerArray seen = new AtomicIntegerArray(TASKS);
        LocalQueue victim = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        AtomicBoolean ownerDone = new AtomicBoolean();
        AtomicLong stolen = new AtomicLong();

        List<Thread> thieves = new ArrayList<>();
        for (int t = 0; t < THIEVES; t++) {
            thieves.add(Thread.ofPlatform().start(() -> {
                LocalQueue mine = new LocalQueue(4);
                while (!ownerDone.get() || !victim.isEmpty()) {
                    ScheduledTask<?> task = victim.stealInto(mine);
                    if (task != null) {
                        stolen.incrementAndGet();
                        record(seen, task);
                        for (ScheduledTask<?> kept = mine.pop(); kept != null; kept = mine.pop()) {
                            record(seen, kept);
                        }
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        Thread owner = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < TASKS; i++) {
                victim.pushBack(markers[i], inject);
                if ((i & 3) == 0) { // pop now and then, so that pops race steals on the same slots
                    ScheduledTask<?> task = victim.pop();
                    if (task != null) {
                        record(seen, task);
                    }
                }
            }
            for (ScheduledTask<?> task = victim.pop(); task != null; task = victim.pop()) {
                record(seen, task);
            }
            ownerDone.set(true);
        });
        owner.join();
        for (Thread thief : thieves) {
            thief.join();
        }
        for (ScheduledTask<?> task = inject.pop(); task != null; task = inject.pop()) {
            record(seen, task);
        }
        for (int i = 0; i < TASKS; i++) {
            assertEquals(1, seen.get(i), "task " + i);
        }
        assertTrue(stolen.get() > 0, "the thieves never got anything: the test did not test stealing");
    }

    private static void record(AtomicIntegerArray seen, ScheduledTask<?> task) {
        seen.incrementAndGet(((LocalQueueTest.Marker) task).id);
    }
}
