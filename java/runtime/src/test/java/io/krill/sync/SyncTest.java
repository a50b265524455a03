package io.krill.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Task;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Each primitive's operations and error cases, driven from the test thread. */
class SyncTest {

    @Test
    void aSemaphoreServesItsQueueInOrderEvenWhenASmallerRequestWouldFit() {
        Semaphore semaphore = new Semaphore(1);
        assertTrue(semaphore.acquire().isDone());
        Task<Void> two = semaphore.acquire(2);
        Task<Void> one = semaphore.acquire(1);
        assertFalse(semaphore.tryAcquire(), "someone queues before: no barging");
        semaphore.release();
        assertFalse(two.isDone());
        assertFalse(one.isDone(), "FIFO: the head needs 2, the smaller one waits behind it");
        semaphore.release();
        assertTrue(two.isDone());
        assertFalse(one.isDone());
        semaphore.release(2);
        assertTrue(one.isDone());
        assertEquals(1, semaphore.availablePermits());
    }

    @Test
    void aCancelledWaiterLeavesTheQueueAndNeverTakesAPermit() {
        Semaphore semaphore = new Semaphore(0);
        Task<Void> cancelled = semaphore.acquire();
        Task<Void> next = semaphore.acquire();
        assertTrue(cancelled.cancel());
        assertEquals(1, semaphore.queuedWaiters());
        semaphore.release();
        assertTrue(next.isDone());
        assertThrows(CancellationException.class, cancelled::join);
        assertEquals(0, semaphore.availablePermits(), "the permit went to the next waiter, not lost");
        Task<Void> granted = semaphore.acquire();
        semaphore.release();
        assertFalse(granted.cancel(), "granted: the permit is the waiter's");
    }

    @Test
    void closingASemaphoreFailsWaitersAndLaterAcquires() {
        Semaphore semaphore = new Semaphore(0);
        Task<Void> waiting = semaphore.acquire();
        semaphore.close();
        assertInstanceOf(ClosedException.class, waiting.failureNow());
        assertInstanceOf(ClosedException.class, semaphore.acquire().failureNow());
        assertFalse(semaphore.tryAcquire());
        assertThrows(IllegalArgumentException.class, () -> semaphore.acquire(0));
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
    }

    @Test
    void cancellingTheQueueHeadLetsTheSmallerRequestsBehindItThrough() {
        Semaphore semaphore = new Semaphore(1);
        Task<Void> two = semaphore.acquire(2);
        Task<Void> one = semaphore.acquire(1);
        assertFalse(one.isDone(), "FIFO: behind the head that needs 2");
        assertTrue(two.cancel());
        assertTrue(one.isDone(), "the permit that was free goes to the next in line at once");
        assertEquals(0, semaphore.availablePermits());
        assertEquals(0, semaphore.queuedWaiters());
        semaphore.release();
        assertTrue(semaphore.tryAcquire(), "the queue is empty again: the fast path reopens");
    }

    @Test
    void aGrantThatLosesToCancellationIsRefundedToTheNextWaiter() {
        Semaphore semaphore = new Semaphore(0);
        // Cancelled between its grant (under the monitor) and its completion: the race that
        // cancel() from another thread can win. The grant must go on to the next waiter.
        Semaphore.Acquire<String> raced = new Semaphore.Acquire<>(semaphore, 1) {
            @Override
            String value() {
                assertTrue(cancel(), "granted but not completed: the cancellation still wins");
                return "too late";
            }
        };
        assertFalse(semaphore.acquireOrQueue(raced));
        Task<Void> next = semaphore.acquire();
        semaphore.release();
        assertTrue(raced.isCancelled());
        assertTrue(next.isDone(), "the refunded permit went to the next waiter");
        semaphore.release();
        assertEquals(1, semaphore.availablePermits(), "and none was lost or made up");
    }

    @Test
    void permitCountsStayWithinTheStateWord() {
        Semaphore semaphore = new Semaphore(Semaphore.MAX_PERMITS);
        assertThrows(IllegalStateException.class, semaphore::release, "would overflow");
        assertEquals(Semaphore.MAX_PERMITS, semaphore.availablePermits());
        assertTrue(semaphore.tryAcquire(Semaphore.MAX_PERMITS));
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(Semaphore.MAX_PERMITS + 1));
        assertThrows(IllegalArgumentException.class, () -> semaphore.tryAcquire(0));
    }

    @Test
    void aMutexHandsTheValueOnInOrder() {
        Mutex<Integer> mutex = new Mutex<>(1);
        Mutex.Guard<Integer> first = mutex.lock().join();
        Task<Mutex.Guard<Integer>> second = mutex.lock();
        assertNull(mutex.tryLock());
        assertFalse(second.isDone());
        first.set(2);
        first.close();
        first.close(); // harmless
        assertThrows(IllegalStateException.class, first::get);
        try (Mutex.Guard<Integer> guard = second.join()) {
            assertEquals(2, guard.get());
        }
        assertFalse(mutex.isLocked());
    }

    @Test
    void anUncontendedLockIsOneObjectAndAStaleGuardCannotReachTheValue() {
        Mutex<Integer> mutex = new Mutex<>(1);
        Task<Mutex.Guard<Integer>> locked = mutex.lock();
        assertTrue(locked.isDone());
        Mutex.Guard<Integer> first = locked.resultNow();
        assertSame(locked, first, "the guard is its own completed task");
        first.close();
        Mutex.Guard<Integer> second = mutex.lock().resultNow();
        assertNotSame(first, second, "never reused: each holding has its own guard");
        assertThrows(IllegalStateException.class, first::get);
        first.close(); // a stale close must not release the current holder's lock
        assertTrue(mutex.isLocked());
        assertNull(mutex.tryLock());
        second.close();
        assertFalse(mutex.isLocked());
    }

    @Test
    void aGuardThatIsItsOwnTaskKeepsItsValueThroughCombinators() throws Exception {
        Mutex<Integer> mutex = new Mutex<>(7);
        Task<Mutex.Guard<Integer>> locked = mutex.lock();
        Mutex.Guard<Integer> guard = locked.resultNow();
        assertSame(guard, Task.completed(0).then(x -> locked).join(), "copied outcome: the guard, not the copy");
        assertSame(guard, Task.race(locked, Task.promise()).join());
        assertSame(guard, locked.toCompletableFuture().get());
        assertEquals(7, locked.map(Mutex.Guard::get).join());
        guard.close();
    }

    @Test
    void aQueuedLockIsGrantedOnReleaseAndAClosedGuardStaysClosed() {
        Mutex<String> mutex = new Mutex<>("a");
        Mutex.Guard<String> holder = mutex.tryLock();
        Task<Mutex.Guard<String>> queued = mutex.lock();
        Task<Mutex.Guard<String>> behind = mutex.lock();
        holder.set("b");
        holder.close();
        assertTrue(queued.isDone());
        assertFalse(behind.isDone());
        Mutex.Guard<String> guard = queued.resultNow();
        assertEquals("b", guard.get());
        assertTrue(behind.cancel());
        guard.close();
        assertFalse(mutex.isLocked(), "the cancelled lock() behind did not take it");
    }

    @Test
    void aCancelledLockNeverHoldsTheMutex() {
        Mutex<String> mutex = new Mutex<>("x");
        Mutex.Guard<String> holder = mutex.tryLock();
        Task<Mutex.Guard<String>> abandoned = mutex.lock();
        assertTrue(abandoned.cancel());
        holder.close();
        assertFalse(mutex.isLocked(), "the abandoned lock() did not take it");
        assertTrue(mutex.tryLock() != null);
    }

    @Test
    void notifyStoresOnePermitAndWakesInOrder() {
        Notify notify = new Notify();
        notify.notifyOne();
        notify.notifyOne(); // one permit only
        assertTrue(notify.notified().isDone());
        Task<Void> a = notify.notified();
        Task<Void> b = notify.notified();
        assertFalse(a.isDone());
        notify.notifyOne();
        assertTrue(a.isDone());
        assertFalse(b.isDone());
        Task<Void> c = notify.notified();
        notify.notifyWaiters();
        assertTrue(b.isDone() && c.isDone());
        assertFalse(notify.notified().isDone(), "notifyWaiters stores no permit");
    }

    @Test
    void aBoundedChannelWaitsForRoomAndEndsWhenSendersClose() {
        Mpsc.Channel<String> channel = Mpsc.bounded(1);
        Mpsc.Sender<String> sender = channel.sender();
        assertTrue(sender.send("a").isDone());
        Task<Void> waiting = sender.send("b");
        assertFalse(waiting.isDone(), "full");
        assertFalse(sender.trySend("c"));
        assertEquals("a", channel.receiver().recv().join());
        assertTrue(waiting.isDone(), "room made by the recv");
        Mpsc.Sender<String> second = sender.duplicate();
        sender.close();
        Task<String> pending = channel.receiver().recv();
        assertEquals("b", pending.join());
        Task<String> end = channel.receiver().recv();
        assertFalse(end.isDone(), "one sender is still open");
        second.close();
        assertNull(end.join(), "every sender closed: the end");
        assertNull(channel.receiver().recv().join());
        assertThrows(NullPointerException.class, () -> Mpsc.<String>unbounded().sender().send(null));
        assertThrows(IllegalArgumentException.class, () -> Mpsc.bounded(0));
    }

    @Test
    void aCancelledRecvLeavesTheMessageForTheNext() {
        Mpsc.Channel<Integer> channel = Mpsc.unbounded();
        Task<Integer> abandoned = channel.receiver().recv();
        assertThrows(IllegalStateException.class, () -> channel.receiver().recv(), "one recv at a time");
        assertTrue(abandoned.cancel());
        channel.sender().send(7);
        assertEquals(7, channel.receiver().recv().join());
    }

    @Test
    void aClosedReceiverFailsSendsAndWaitingSenders() {
        Mpsc.Channel<Integer> channel = Mpsc.bounded(1);
        channel.sender().send(1);
        Task<Void> waiting = channel.sender().send(2);
        channel.receiver().close();
        CompletionException e = assertThrows(CompletionException.class, waiting::join);
        assertInstanceOf(ClosedException.class, e.getCause());
        assertThrows(ClosedException.class, () -> channel.sender().send(3));
        assertEquals(1, channel.receiver().tryRecv(), "what was buffered can still be read");
    }

    @Test
    void aReservedPermitSendsWithoutWaiting() {
        Mpsc.Channel<String> channel = Mpsc.bounded(1);
        Mpsc.Permit<String> permit = channel.sender().reserve().join();
        Task<Mpsc.Permit<String>> second = channel.sender().reserve();
        assertFalse(second.isDone(), "the one slot is reserved");
        permit.send("reserved");
        assertThrows(IllegalStateException.class, () -> permit.send("again"));
        assertEquals("reserved", channel.receiver().recv().join());
        assertTrue(second.isDone());
        assertFalse(second.cancel(), "granted: the reservation is the caller's");
    }

    @Test
    void anUnusedPermitClosedGivesItsSlotToTheNextReserve() {
        Mpsc.Channel<String> channel = Mpsc.bounded(1);
        Mpsc.Permit<String> permit = channel.sender().reserve().join();
        Task<Mpsc.Permit<String>> second = channel.sender().reserve();
        assertFalse(second.isDone(), "the one slot is reserved");
        permit.close();
        assertTrue(second.isDone(), "the closed permit's slot went to the waiting reserve");
        permit.close(); // twice: nothing more comes back
        assertThrows(IllegalStateException.class, () -> permit.send("late"));
        assertFalse(channel.sender().trySend("x"), "one slot, held by the second permit: none was made up");
        second.resultNow().send("via the second");
        assertEquals("via the second", channel.receiver().recv().join());
        assertTrue(channel.sender().trySend("x"), "and free again once received");
    }

    /** Reserves a permit and lets go of it unused; in its own frame, so no local keeps it. */
    private static java.lang.ref.WeakReference<Mpsc.Permit<String>> dropUnused(Mpsc.Channel<String> channel) {
        return new java.lang.ref.WeakReference<>(channel.sender().reserve().join());
    }

    private static java.lang.ref.WeakReference<Mpsc.Permit<String>> useAndDrop(Mpsc.Channel<String> channel, String message) {
        Mpsc.Permit<String> permit = channel.sender().reserve().join();
        permit.send(message);
        return new java.lang.ref.WeakReference<>(permit);
    }

    @Test
    void aPermitDroppedUnusedGivesItsSlotBackWhenCollectedAndAUsedOneNothing() throws InterruptedException {
        Mpsc.Channel<String> channel = Mpsc.bounded(2);
        java.lang.ref.WeakReference<Mpsc.Permit<String>> used = useAndDrop(channel, "sent");
        java.lang.ref.WeakReference<Mpsc.Permit<String>> dropped = dropUnused(channel);
        Task<Void> waiting = channel.sender().send("waiting");
        assertFalse(waiting.isDone(), "two slots: one holds a message, the dropped permit holds the other");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while ((!waiting.isDone() || used.get() != null || dropped.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(dropped.get() == null && used.get() == null, "both permits collected");
        assertTrue(waiting.isDone(), "the dropped permit's slot went to the waiting send");
        Thread.sleep(50); // let the cleaner finish with the used permit too, were it to act
        assertFalse(channel.sender().trySend("x"), "both slots hold messages: a used permit gave nothing back");
        assertEquals("sent", channel.receiver().tryRecv());
        assertEquals("waiting", channel.receiver().tryRecv());
        assertTrue(channel.sender().trySend("a"));
        assertTrue(channel.sender().trySend("b"));
        assertFalse(channel.sender().trySend("c"), "two slots, none made up");
    }

    @Test
    void waitingSendersAreAdmittedInOrderAndACancelledOneSendsNothing() {
        Mpsc.Channel<String> channel = Mpsc.bounded(1);
        Mpsc.Sender<String> sender = channel.sender();
        assertTrue(sender.send("a").isDone());
        Task<Void> b = sender.send("b");
        Task<Void> c = sender.send("c");
        Task<Void> d = sender.send("d");
        assertFalse(sender.trySend("e"), "others wait for room before it: no barging");
        assertTrue(c.cancel());
        assertEquals("a", channel.receiver().tryRecv());
        assertTrue(b.isDone(), "the room went to the oldest waiting send");
        assertFalse(d.isDone());
        assertEquals("b", channel.receiver().recv().join());
        assertTrue(d.isDone());
        assertFalse(d.cancel(), "admitted: the message is in the channel");
        assertEquals("d", channel.receiver().recv().join(), "the cancelled send never arrives");
        assertNull(channel.receiver().tryRecv());
    }

    @Test
    void aReserveCancelledAfterItWasAdmittedGivesItsSlotBack() {
        Mpsc.Channel<String> channel = Mpsc.bounded(1);
        Mpsc.Permit<String> permit = channel.sender().reserve().join(); // the only slot
        Task<String> received = channel.receiver().recv();
        Task<Mpsc.Permit<String>> reserve = channel.sender().reserve();
        assertFalse(reserve.isDone());
        // Using the permit hands the message to the pending recv and admits the reserve; both are
        // completed after the lock, in that order. Completing the recv cancels the reserve: the
        // cancellation lands between its admission and its completion, and must win.
        received.toCompletableFuture().thenRun(() -> assertTrue(reserve.cancel()));
        permit.send("m");
        assertEquals("m", received.join());
        assertTrue(reserve.isCancelled());
        assertTrue(channel.sender().trySend("x"), "the slot admitted to the cancelled reserve came back");
        assertFalse(channel.sender().trySend("y"), "and only that one");
    }

    @Test
    void aPermitUsedWhileTheChannelIsFullHandsOverAndAdmitsTheNextSender() {
        Mpsc.Channel<Integer> channel = Mpsc.bounded(1);
        Mpsc.Permit<Integer> permit = channel.sender().reserve().join();
        Task<Integer> received = channel.receiver().recv();
        Task<Void> waiting = channel.sender().send(2);
        assertFalse(waiting.isDone(), "the only slot is reserved");
        permit.send(1);
        assertEquals(1, received.join(), "handed straight to the pending recv");
        assertTrue(waiting.isDone(), "which left the slot free for the waiting send");
        assertEquals(2, channel.receiver().tryRecv());
    }

    @Test
    void closingTheReceiverFailsWaitingReservesAndUnboundedReservesNeverWait() {
        Mpsc.Channel<Integer> channel = Mpsc.bounded(1);
        channel.sender().send(1);
        Task<Mpsc.Permit<Integer>> reserve = channel.sender().reserve();
        channel.receiver().close();
        assertInstanceOf(ClosedException.class, reserve.failureNow());
        assertThrows(ClosedException.class, () -> channel.sender().reserve());
        Mpsc.Channel<Integer> unbounded = Mpsc.unbounded();
        for (int i = 0; i < 10; i++) {
            assertTrue(unbounded.sender().reserve().isDone());
            assertTrue(unbounded.sender().send(i).isDone());
        }
        Mpsc.Sender<Integer> closed = unbounded.sender().duplicate();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.send(1), "a closed sender refuses");
    }

    @Test
    void broadcastDeliversToEverySubscriberAndCountsLag() {
        Broadcast<Integer> channel = new Broadcast<>(2);
        assertEquals(0, channel.send(0), "nobody subscribed yet");
        Broadcast.Receiver<Integer> early = channel.subscribe();
        Broadcast.Receiver<Integer> slow = channel.subscribe();
        for (int i = 1; i <= 5; i++) {
            assertEquals(2, channel.send(i));
        }
        CompletionException lag = assertThrows(CompletionException.class, () -> slow.recv().join());
        assertEquals(3, ((LaggedException) lag.getCause()).missed(), "5 sent, 2 kept");
        assertEquals(4, slow.recv().join(), "then the oldest kept");
        assertEquals(5, slow.recv().join());
        Broadcast.Receiver<Integer> late = channel.subscribe();
        Task<Integer> next = late.recv();
        assertFalse(next.isDone(), "a late subscriber sees only later messages");
        channel.send(6);
        assertEquals(6, next.join());
        channel.close();
        assertNull(late.recv().join());
        assertThrows(ClosedException.class, () -> channel.send(7));
        early.close();
        assertThrows(IllegalStateException.class, early::recv, "a closed receiver refuses recv");
    }

    @Test
    void anRwLockSharesReadsAndQueuedWritersHoldBackLaterReaders() {
        RwLock<String> lock = new RwLock<>("v1");
        RwLock.ReadGuard<String> reader1 = lock.read().join();
        RwLock.ReadGuard<String> reader2 = lock.read().join();
        assertEquals("v1", reader2.get());
        Task<RwLock.WriteGuard<String>> writer = lock.write();
        Task<RwLock.ReadGuard<String>> lateReader = lock.read();
        assertFalse(writer.isDone());
        assertFalse(lateReader.isDone(), "writer-preferring: a queued writer holds back new readers");
        assertNull(lock.tryRead());
        reader1.close();
        reader2.close();
        try (RwLock.WriteGuard<String> w = writer.join()) {
            assertFalse(lateReader.isDone());
            w.set("v2");
        }
        assertEquals("v2", lateReader.join().get());
    }

    @Test
    void aBarrierReleasesAllWhenTheLastArrivesAndIsReusable() {
        Barrier barrier = new Barrier(3);
        Task<Boolean> a = barrier.await();
        Task<Boolean> b = barrier.await();
        assertFalse(a.isDone());
        assertTrue(barrier.await().join(), "the last to arrive leads");
        assertFalse(a.join());
        assertFalse(b.join());
        Task<Boolean> c = barrier.await();
        assertTrue(c.cancel(), "a cancelled arrival no longer counts");
        Task<Boolean> d = barrier.await();
        Task<Boolean> e = barrier.await();
        assertFalse(d.isDone());
        assertTrue(barrier.await().join());
        assertTrue(d.isDone() && e.isDone());
        assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
    }

    @Test
    void aOneshotCarriesOneValueOrSaysTheSenderLeft() {
        Oneshot.Channel<String> channel = Oneshot.channel();
        assertTrue(channel.sender().send("once"));
        assertFalse(channel.sender().send("twice"));
        assertEquals("once", channel.receiver().join());
        Oneshot.Channel<String> dropped = Oneshot.channel();
        dropped.sender().close();
        assertInstanceOf(ClosedException.class, dropped.receiver().failureNow());
        Oneshot.Channel<String> abandoned = Oneshot.channel();
        abandoned.receiver().cancel();
        assertTrue(abandoned.sender().isReceiverClosed());
        assertFalse(abandoned.sender().send("nobody"));
    }

    @Test
    void watchReceiversSeeTheLatestValueAndWaitForChanges() {
        Watch.Channel<Integer> channel = Watch.channel(0);
        Watch.Receiver<Integer> receiver = channel.receiver();
        Watch.Receiver<Integer> other = channel.sender().subscribe();
        Task<Void> changed = receiver.changed();
        assertFalse(changed.isDone());
        channel.sender().send(1);
        channel.sender().send(2);
        assertTrue(changed.isDone());
        assertEquals(2, receiver.borrowAndMarkSeen(), "intermediate values may be skipped");
        assertFalse(receiver.changed().isDone(), "nothing newer than 2 yet");
        assertTrue(other.changed().isDone(), "the other receiver has not seen 1 or 2");
        Task<Void> pending = other.changed();
        channel.sender().close();
        assertInstanceOf(ClosedException.class, pending.failureNow());
        assertThrows(ClosedException.class, () -> channel.sender().send(3));
        assertEquals(2, other.borrow());
    }
}
