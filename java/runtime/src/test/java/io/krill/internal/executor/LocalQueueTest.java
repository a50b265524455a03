package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.krill.internal.task.ScheduledTask;
import io.krill.internal.task.TaskScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Single-threaded behaviour of the local queue at capacity 4: order, overflow, steal, wrap. */
class LocalQueueTest {

    /** A task that is never run: only its identity matters here. */
    static final class Marker extends ScheduledTask<Void> {
        final int id;

        Marker(int id) {
            super(TaskScheduler.INLINE);
            this.id = id;
        }

        @Override
        protected void step() {
            completeValue(null);
        }

        @Override
        public String toString() {
            return "#" + id;
        }
    }

    private static List<Marker> markers(int count) {
        List<Marker> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new Marker(i));
        }
        return list;
    }

    private static List<ScheduledTask<?>> drain(InjectQueue inject) {
        List<ScheduledTask<?>> out = new ArrayList<>();
        for (ScheduledTask<?> t = inject.pop(); t != null; t = inject.pop()) {
            out.add(t);
        }
        return out;
    }

    @Test
    void popsInPushOrderAcrossManyWraps() {
        LocalQueue queue = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        List<Marker> all = markers(3);
        for (int round = 0; round < 1_000; round++) { // 32-bit indices wrap far later; slots wrap every 4
            for (Marker m : all) {
                queue.pushBack(m, inject);
            }
            assertEquals(3, queue.size());
            for (Marker m : all) {
                assertSame(m, queue.pop());
            }
            assertNull(queue.pop());
        }
        assertEquals(0, inject.size());
    }

    @Test
    void overflowMovesTheOlderHalfAndTheNewTaskToInjectInOrder() {
        LocalQueue queue = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        List<Marker> m = markers(5);
        for (int i = 0; i < 4; i++) {
            queue.pushBack(m.get(i), inject);
        }
        queue.pushBack(m.get(4), inject); // full: #0, #1 and #4 go to inject
        assertEquals(List.of(m.get(0), m.get(1), m.get(4)), drain(inject));
        assertSame(m.get(2), queue.pop());
        assertSame(m.get(3), queue.pop());
        assertNull(queue.pop());
    }

    @Test
    void stealTakesTheOlderHalfRoundedUpAndReturnsTheLastOfIt() {
        LocalQueue victim = new LocalQueue(4);
        LocalQueue thief = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        List<Marker> m = markers(3);
        for (Marker each : m) {
            victim.pushBack(each, inject);
        }
        // 3 queued: the thief takes 2 (#0, #1), keeps #0 in its queue and runs #1.
        assertSame(m.get(1), victim.stealInto(thief));
        assertSame(m.get(0), thief.pop());
        assertNull(thief.pop());
        assertSame(m.get(2), victim.pop());
        assertNull(victim.stealInto(thief), "nothing left to steal");
    }

    @Test
    void aSingleTaskCanBeStolen() {
        LocalQueue victim = new LocalQueue(4);
        LocalQueue thief = new LocalQueue(4);
        Marker only = new Marker(0);
        victim.pushBack(only, new InjectQueue());
        assertSame(only, victim.stealInto(thief));
        assertNull(victim.pop());
        assertEquals(0, thief.size());
    }

    @Test
    void aThiefWithoutRoomStealsNothing() {
        LocalQueue victim = new LocalQueue(4);
        LocalQueue thief = new LocalQueue(4);
        InjectQueue inject = new InjectQueue();
        for (Marker m : markers(3)) {
            thief.pushBack(m, inject); // 3 > capacity/2
        }
        victim.pushBack(new Marker(9), inject);
        assertNull(victim.stealInto(thief));
        assertEquals(1, victim.size());
    }

    @Test
    void aBatchFromTheInjectQueueKeepsItsOrder() {
        InjectQueue inject = new InjectQueue();
        List<Marker> m = markers(5);
        for (Marker each : m) {
            inject.push(each);
        }
        LocalQueue local = new LocalQueue(4);
        assertSame(m.get(0), inject.popInto(local, 3)); // #0 returned, #1 and #2 queued locally
        assertEquals(2, inject.size());
        assertSame(m.get(1), local.pop());
        assertSame(m.get(2), local.pop());
        assertNull(local.pop());
        assertSame(m.get(3), inject.popInto(local, 10)); // fewer left than asked
        assertSame(m.get(4), local.pop());
        assertEquals(0, inject.size());
        assertNull(inject.popInto(local, 2));
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LocalQueue(6));
        assertEquals("local queue capacity must be a power of two in [2, 2^30], got 6", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LocalQueue(1));
    }
}
