package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.task.ScheduledTask;
import org.junit.jupiter.api.Test;

/**
 * The queues' single-threaded edges that the concurrent tests pass over: capacity limits,
 * sizes after each batch operation, emptiness, links cleared on the way out (a stale link on a
 * task that is queued again would splice old tasks back in), and order after the queue ran
 * empty. Found by mutation testing (ci/test --mutation): each assertion kills a mutant that
 * survived before.
 */
class QueueEdgesTest {

    private static LocalQueueTest.Marker task(int id) {
        return new LocalQueueTest.Marker(id);
    }

    private static int id(ScheduledTask<?> task) {
        return task == null ? -1 : ((LocalQueueTest.Marker) task).id;
    }

    @Test
    void aLocalQueueTakesTwoOrMoreAPowerOfTwoAndSaysSo() {
        assertThrows(IllegalArgumentException.class, () -> new LocalQueue(1));
        assertThrows(IllegalArgumentException.class, () -> new LocalQueue(0));
        assertThrows(IllegalArgumentException.class, () -> new LocalQueue(6));
        assertThrows(IllegalArgumentException.class, () -> new LocalQueue(1 << 31));
        assertEquals(2, new LocalQueue(2).capacity());
        assertEquals(8, new LocalQueue(8).capacity());
    }

    @Test
    void emptinessFollowsWhatIsQueued() {
        LocalQueue local = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        assertTrue(local.isEmpty());
        assertTrue(inject.isEmpty());
        local.pushBack(task(1), inject);
        inject.push(task(2));
        assertFalse(local.isEmpty());
        assertFalse(inject.isEmpty());
        assertEquals(1, id(local.pop()));
        assertEquals(2, id(inject.pop()));
        assertTrue(local.isEmpty());
        assertTrue(inject.isEmpty());
    }

    @Test
    void anOverflowMovesTheOlderHalfAndTheNewTaskInOrderAndCountsThem() {
        LocalQueue local = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        for (int id = 0; id < 4; id++) {
            local.pushBack(task(id), inject);
        }
        local.pushBack(task(4), inject); // full: 0 and 1, then 4, go to the inject queue
        assertEquals(3, inject.size());
        assertEquals(2, local.size());
        assertEquals(0, id(inject.pop()));
        assertEquals(2, inject.size(), "each pop counts");
        assertEquals(1, id(inject.pop()));
        assertEquals(4, id(inject.pop()));
        assertEquals(0, inject.size());
        assertEquals(2, id(local.pop()));
        assertEquals(3, id(local.pop()));
    }

    @Test
    void aBatchTakeReturnsTheOldestPutsTheNextInOrderAndClearsEveryLink() {
        InjectQueue inject = new InjectQueue();
        ScheduledTask<?>[] taken = new ScheduledTask<?>[5];
        for (int id = 0; id < 5; id++) {
            taken[id] = task(id);
            inject.push(taken[id]);
        }
        LocalQueue local = new LocalQueue(4);
        ScheduledTask<?> first = inject.popInto(local, 3);
        assertEquals(0, id(first));
        assertEquals(2, inject.size());
        assertEquals(2, local.size());
        for (int id = 0; id < 3; id++) {
            assertNull(taken[id].nextInjected(), "task " + id + " left the inject queue with a stale link");
        }
        assertEquals(1, id(local.pop()));
        assertEquals(2, id(local.pop()));
        assertEquals(3, id(inject.pop()));
        assertNull(taken[3].nextInjected());
        assertEquals(4, id(inject.pop()));
        assertNull(inject.popInto(local, 3), "empty");
        assertNull(inject.pop());
    }

    @Test
    void aQueueThatRanEmptyKeepsOrderForWhatComesNextEvenForATaskQueuedBefore() {
        InjectQueue inject = new InjectQueue();
        ScheduledTask<?> a = task(1);
        ScheduledTask<?> b = task(2);
        inject.push(a);
        inject.push(b);
        assertSame(a, inject.pop());
        assertSame(b, inject.pop());
        inject.push(b); // queued again after it ran: its old link must not come back
        inject.push(a);
        assertSame(b, inject.pop());
        assertSame(a, inject.pop());
        assertNull(inject.pop());
        assertEquals(0, inject.size());
    }

    @Test
    void aPushAfterAPopThatLeftTasksBehindGoesAfterThem() {
        InjectQueue inject = new InjectQueue();
        inject.push(task(1));
        inject.push(task(2));
        assertEquals(1, id(inject.pop())); // the queue's tail is still task 2
        inject.push(task(3));
        assertEquals(2, id(inject.pop()));
        assertEquals(3, id(inject.pop()));
        assertNull(inject.pop());
    }
}
