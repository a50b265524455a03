package io.krill.internal.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.EpollNative;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.Readiness;
import io.krill.internal.jni.SocketNative;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The table alone, on one epoll instance, events applied by hand as a worker would. */
@EnabledOnOs(OS.LINUX)
class ConnectionTableTest {

    private int epfd;
    private ConnectionTable table;

    @BeforeEach
    void setUp() {
        NativeLibrary.load();
        epfd = EpollNative.epollCreate();
        table = new ConnectionTable(JniNativeIo.load());
        table.bindEpolls(new int[] {epfd});
    }

    @AfterEach
    void tearDown() {
        table.close();
        SocketNative.close(epfd);
    }

    private long registerEventfd() throws IOException {
        return table.register(EpollNative.eventfdCreate(), Readiness.READABLE, 0);
    }

    @Test
    void aStaleTokenIsDroppedAndRefusedNeverAppliedToTheSlotsNextUser() throws IOException {
        long first = registerEventfd();
        assertTrue(table.isCurrent(first));
        assertTrue(table.deregister(first, true));
        assertFalse(table.deregister(first, true), "twice is a no-op");
        long second = registerEventfd();
        assertEquals(ConnectionTable.indexOfToken(first), ConnectionTable.indexOfToken(second), "the slot is reused");
        assertNotEquals(first, second, "with a new generation");
        table.onEvent(first, Readiness.READABLE, 0);
        assertEquals(1, table.staleEvents());
        assertEquals(0, ConnectionTable.readinessOf(table.state(second)), "the new user saw nothing");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> table.state(first));
        assertTrue(e.getMessage().contains("stale connection token"), e.getMessage());
        table.onEvent(0x7FFF_0000_0000_0000L | 999_999, Readiness.READABLE, 0);
        assertEquals(2, table.staleEvents(), "an index never handed out is stale too");
    }

    @Test
    void aSlotThatUsedItsLastGenerationIsRetiredNotWrapped() throws IOException {
        long first = registerEventfd();
        int index = ConnectionTable.indexOfToken(first);
        assertTrue(table.deregister(first, true));
        table.ageFreeSlot(index, SlotDescriptor.LAST_GENERATION); // as if used 2^40 - 3 times more
        long last = registerEventfd();
        assertEquals(index, ConnectionTable.indexOfToken(last), "the aged slot is reused once more");
        assertEquals(SlotDescriptor.LAST_GENERATION, last >>> SlotDescriptor.INDEX_BITS);
        assertNotEquals(-1L, last, "no token is the parkers' wake token");
        table.onEvent(last, Readiness.READABLE, 0);
        assertEquals(Readiness.READABLE, ConnectionTable.readinessOf(table.state(last)), "the last generation works like any other");
        assertTrue(table.deregister(last, true));
        assertEquals(1, table.retiredSlots());
        long next = registerEventfd();
        assertNotEquals(index, ConnectionTable.indexOfToken(next), "a retired slot is never handed out again: its generation would wrap");
        assertFalse(table.isCurrent(last));
        assertFalse(table.isCurrent(first), "the first generation's token stays stale too");
        table.deregister(next, true);
    }

    /** A handler group that records (owner, index) pushes on one ready stack. */
    private final class RecordingGroup implements HandlerGroup {
        final ReadyStack stack = new ReadyStack(table);
        final AtomicInteger wakes = new AtomicInteger();

        @Override
        public void enqueue(int owner, int index) {
            if (stack.push(index)) {
                wakes.incrementAndGet();
            }
        }

        List<Integer> takeAll() {
            List<Integer> taken = new ArrayList<>();
            for (int index = stack.takeAll(); index != ReadyStack.EMPTY; index = stack.next(index)) {
                taken.add(index);
            }
            return taken;
        }
    }

    @Test
    void handlerSlotsAreQueuedOncePerTakeInArrivalOrder() throws IOException {
        RecordingGroup group = new RecordingGroup();
        int id = table.addGroup(group);
        long a = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
        long b = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
        table.onEvent(a, Readiness.READABLE, 0);
        table.onEvent(b, Readiness.WRITABLE, 0);
        table.onEvent(a, Readiness.WRITABLE, 0); // already queued: bits merge, no second push
        assertEquals(1, group.wakes.get(), "one wake for the empty-to-non-empty push");
        assertEquals(List.of(ConnectionTable.indexOfToken(a), ConnectionTable.indexOfToken(b)), group.takeAll(), "first come, first served");
        long state = table.takeReady(ConnectionTable.indexOfToken(a));
        assertEquals(Readiness.READABLE | Readiness.WRITABLE, ConnectionTable.readinessOf(state));
        assertEquals(0, ConnectionTable.readinessOf(table.state(a)), "taken: the bits are cleared");
        table.onEvent(a, Readiness.READABLE, 0); // after takeReady: queued again
        assertEquals(List.of(ConnectionTable.indexOfToken(a)), group.takeAll());
        assertTrue(table.deregister(a, true));
        assertTrue(table.deregister(b, true));
    }

    @Test
    void aSlotClosedWhileQueuedIsReusedOnlyAfterItsDriverPoppedIt() throws IOException {
        RecordingGroup group = new RecordingGroup();
        int id = table.addGroup(group);
        long queued = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, true); // starts QUEUED
        group.enqueue(0, ConnectionTable.indexOfToken(queued));
        assertTrue(table.deregister(queued, true));
        assertFalse(table.isCurrent(queued), "stale at once");
        long next = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
        assertNotEquals(ConnectionTable.indexOfToken(queued), ConnectionTable.indexOfToken(next), "the queued slot is not handed out again yet");
        List<Integer> popped = group.takeAll();
        assertEquals(List.of(ConnectionTable.indexOfToken(queued)), popped);
        assertTrue(ConnectionTable.isClosedState(table.takeReady(ConnectionTable.indexOfToken(queued))));
        table.releaseQueued(ConnectionTable.indexOfToken(queued));
        long reused = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
        assertEquals(ConnectionTable.indexOfToken(queued), ConnectionTable.indexOfToken(reused), "reusable once popped");
        assertNotEquals(queued, reused);
        table.deregister(next, true);
        table.deregister(reused, true);
        table.removeGroup(id);
    }

    @Test
    void theUserAreaIsSixteenZeroedBytesPerSlot() throws IOException {
        int id = table.addGroup(new RecordingGroup());
        long token = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
        int index = ConnectionTable.indexOfToken(token);
        SlotView slot = new SlotView();
        table.bind(slot, index);
        assertEquals(token, slot.token());
        slot.userLong(0, -1L);
        slot.userLong(8, 42L);
        slot.userInt(4, 7);
        assertEquals(0xFFFF_FFFFL | (7L << 32), slot.userLong(0));
        assertEquals(42L, slot.userLong(8));
        assertThrows(IndexOutOfBoundsException.class, () -> slot.userLong(9));
        assertThrows(IndexOutOfBoundsException.class, () -> slot.userInt(13));
        assertThrows(IndexOutOfBoundsException.class, () -> slot.userInt(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> slot.userInt(Integer.MAX_VALUE), "no overflow past the check");
        table.deregister(token, true);
        long again = table.registerHandler(EpollNative.eventfdCreate(), 0, id, 0, false);
        assertEquals(index, ConnectionTable.indexOfToken(again));
        table.bind(slot, index);
        assertEquals(again, slot.token(), "bound to the new registration");
        assertEquals(0L, slot.userLong(0), "zeroed for the next connection");
        assertEquals(0L, slot.userLong(8));
        table.deregister(again, true);
    }

    @Test
    void readinessIsClearedOnlyIfNoNewerEventArrived() throws IOException {
        long token = registerEventfd();
        table.onEvent(token, Readiness.READABLE, 0);
        long observed = table.state(token);
        table.onEvent(token, Readiness.READABLE, 0); // arrives while the reader met EAGAIN
        assertFalse(table.clearReadiness(token, observed, Readiness.READABLE));
        assertEquals(Readiness.READABLE, ConnectionTable.readinessOf(table.state(token)) & Readiness.READABLE);
        long current = table.state(token);
        assertTrue(table.clearReadiness(token, current, Readiness.READABLE));
        assertEquals(0, ConnectionTable.readinessOf(table.state(token)) & Readiness.READABLE);
    }

    @Test
    void aWaiterIsWokenOnceByTheMatchingEventOnly() throws IOException {
        long token = registerEventfd();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        assertFalse(table.waiters().pollReady(token, Readiness.READABLE, reads::incrementAndGet));
        assertFalse(table.waiters().pollReady(token, Readiness.WRITABLE, writes::incrementAndGet));
        table.onEvent(token, Readiness.WRITABLE, 0);
        assertEquals(0, reads.get());
        assertEquals(1, writes.get());
        table.onEvent(token, Readiness.READABLE, 0);
        table.onEvent(token, Readiness.READABLE, 0);
        assertEquals(1, reads.get(), "a waiter is taken when woken");
        assertTrue(table.waiters().pollReady(token, Readiness.READABLE, reads::incrementAndGet), "ready now: no wait");
    }

    @Test
    void closingWakesWaitersAndTheyFindItClosed() throws IOException {
        long token = registerEventfd();
        AtomicInteger woken = new AtomicInteger();
        assertFalse(table.waiters().pollReady(token, Readiness.READABLE, woken::incrementAndGet));
        table.deregister(token, true);
        assertEquals(1, woken.get());
        assertTrue(table.waiters().pollReady(token, Readiness.READABLE, woken::incrementAndGet), "closed counts as ready");
        assertThrows(IllegalStateException.class, () -> table.fd(token));
    }

    @Test
    void theTableGrowsByChunksAndReusesFreedSlots() throws IOException {
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            tokens.add(registerEventfd());
        }
        assertEquals(3L * ConnectionTable.CHUNK_SLOTS * SlotDescriptor.SIZE_BYTES, table.slotBytes());
        assertEquals(2_500, table.liveConnections());
        for (long token : tokens) {
            table.deregister(token, true);
        }
        assertEquals(0, table.liveConnections());
        for (int i = 0; i < 2_500; i++) {
            registerEventfd();
        }
        assertEquals(3L * ConnectionTable.CHUNK_SLOTS * SlotDescriptor.SIZE_BYTES, table.slotBytes(), "no new chunk");
    }

    /** Every system call goes through NativeIo: a recording backend sees them all. */
    @Test
    void theTableReachesTheSystemOnlyThroughItsBackend() throws IOException {
        List<FaultyNativeIo.Call> calls = new ArrayList<>();
        NativeIo recording = new FaultyNativeIo().observe(calls::add);
        ConnectionTable own = new ConnectionTable(recording);
        own.bindEpolls(new int[] {epfd});
        long token = own.register(EpollNative.eventfdCreate(), Readiness.READABLE, 0);
        own.deregister(token, true);
        own.register(EpollNative.eventfdCreate(), Readiness.READABLE, 0);
        own.close();
        // A close takes the descriptor out of epoll by itself: no EPOLL_DELETE before it.
        assertEquals(List.of(FaultyNativeIo.Call.EPOLL_ADD, FaultyNativeIo.Call.CLOSE,
                FaultyNativeIo.Call.EPOLL_ADD, FaultyNativeIo.Call.CLOSE), calls);
    }

    @Test
    void aDescriptorEpollRefusesIsNotTakenOver() {
        IOException e = assertThrows(IOException.class, () -> table.register(-1, Readiness.READABLE, 0));
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
        assertEquals(0, table.liveConnections());
    }
}
