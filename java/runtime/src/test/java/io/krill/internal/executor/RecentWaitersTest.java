package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.executor.LocalQueueTest.Marker;
import io.krill.internal.task.ScheduledTask;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A worker's array of idle tasks at capacity 4: records, sweeps finished ones, reports full, drains. */
class RecentWaitersTest {

    @Test
    void aFullArrayOfWaitingTasksRefusesAndKeepsWhatItHad() {
        RecentWaiters waiters = new RecentWaiters(4);
        List<Marker> tasks = List.of(new Marker(0), new Marker(1), new Marker(2), new Marker(3));
        for (Marker task : tasks) {
            assertTrue(waiters.offer(task));
        }
        assertFalse(waiters.offer(new Marker(4)), "four tasks still waiting: no room");
        assertEquals(4, waiters.size());
        List<ScheduledTask<?>> drained = new ArrayList<>();
        waiters.drainTo(drained::add);
        assertEquals(tasks, drained);
        assertEquals(0, waiters.size());
        assertTrue(waiters.offer(new Marker(5)), "drained: room again");
    }

    @Test
    void aFullArrayMakesRoomByDroppingTheTasksThatFinished() {
        RecentWaiters waiters = new RecentWaiters(4);
        Marker a = new Marker(0);
        Marker b = new Marker(1);
        Marker c = new Marker(2);
        Marker d = new Marker(3);
        for (Marker task : List.of(a, b, c, d)) {
            waiters.offer(task);
        }
        b.cancel();
        d.cancel();
        Marker e = new Marker(4);
        assertTrue(waiters.offer(e), "two finished tasks give their places up");
        assertEquals(3, waiters.size());
        Set<ScheduledTask<?>> left = new HashSet<>();
        waiters.drainTo(left::add);
        assertEquals(Set.of(a, c, e), left);
    }

    @Test
    void aSweptTaskIsNoLongerHeld() throws InterruptedException {
        RecentWaiters waiters = new RecentWaiters(4);
        Marker stays = new Marker(0);
        waiters.offer(stays);
        WeakReference<Marker> finished = offerFinished(waiters);
        waiters.sweep();
        assertEquals(1, waiters.size());
        for (int i = 0; i < 100 && finished.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(finished.get(), "a swept task is garbage: its place no longer points at it");
        assertFalse(stays.isDone());
    }

    /** Records a task that then finishes, keeping no strong reference to it here. */
    private static WeakReference<Marker> offerFinished(RecentWaiters waiters) {
        Marker task = new Marker(1);
        waiters.offer(task);
        task.cancel();
        return new WeakReference<>(task);
    }
}
