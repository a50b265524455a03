package io.krill.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.JoinSet;
import io.krill.Runtime;
import io.krill.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A value that came to a task nobody then takes goes back to where it came from, one case per
 * primitive, made deterministic: a race whose first input has already finished decides at once,
 * so its other input, finished too, is a loser that finished before it could be cancelled.
 */
class HandBackTest {

    /** Races {@code loser} behind an input that has already won. */
    private static <T> Task<T> lose(Task<T> loser) {
        Task<T> race = Task.race(Task.completed(null), loser);
        assertTrue(race.isDone());
        assertNull(race.resultNow(), "the first input won");
        return race;
    }

    @Test
    void aReceivedMessageNobodyTookIsReceivedNext() {
        Mpsc.Channel<String> channel = Mpsc.unbounded();
        channel.sender().send("first").join();
        channel.sender().send("second").join();
        lose(channel.receiver().recv());
        assertEquals("first", channel.receiver().tryRecv(), "given back to the head, before 'second'");
        assertEquals("second", channel.receiver().tryRecv());
    }

    @Test
    void aMessageHandedToAPendingRecvNobodyTookIsReceivedNext() {
        Mpsc.Channel<String> channel = Mpsc.bounded(1);
        Task<String> pending = channel.receiver().recv();
        channel.sender().send("handed").join(); // straight to the pending recv
        assertTrue(pending.isDone());
        lose(pending);
        assertEquals("handed", channel.receiver().tryRecv());
        assertNull(channel.receiver().tryRecv(), "given back once");
    }

    @Test
    void aMessageAFailedAllHeldIsReceivedNext() {
        Mpsc.Channel<String> channel = Mpsc.unbounded();
        channel.sender().send("kept").join();
        Task<String> taken = channel.receiver().recv();
        assertTrue(taken.isDone());
        // All fails on its other input: the message it holds is nobody's and goes back.
        Task<List<String>> all = Task.all(List.of(taken, Task.failed(new IllegalStateException("no"))));
        assertThrows(CompletionException.class, all::join);
        assertEquals("kept", channel.receiver().tryRecv());
    }

    @Test
    void aNotificationNobodyTookIsPassedOn() {
        Notify notify = new Notify();
        notify.notifyOne(); // stored as the permit
        lose(notify.notified());
        assertTrue(notify.notified().isDone(), "the permit was stored again");

        Task<Void> woken = notify.notified();
        Task<Void> next = notify.notified();
        notify.notifyOne(); // wakes the oldest
        assertTrue(woken.isDone());
        assertFalse(next.isDone());
        lose(woken);
        assertTrue(next.isDone(), "the notification nobody took went to the next waiter");
    }

    @Test
    void aNotificationToAllIsNotPassedOn() {
        Notify notify = new Notify();
        Task<Void> waiting = notify.notified();
        notify.notifyWaiters();
        lose(waiting);
        assertFalse(notify.notified().isDone(), "notifyWaiters stores no permit, and giving one back makes none");
    }

    @Test
    void permitsNobodyTookAreReleased() {
        Semaphore semaphore = new Semaphore(3);
        lose(semaphore.acquire(2));
        assertEquals(3, semaphore.availablePermits());
        Task<Void> queued = semaphore.acquire(4);
        semaphore.release(1); // grants the queued four
        assertTrue(queued.isDone());
        lose(queued);
        assertEquals(4, semaphore.availablePermits());
    }

    @Test
    void aGuardNobodyTookIsClosed() {
        Mutex<Integer> mutex = new Mutex<>(0);
        lose(mutex.lock());
        assertFalse(mutex.isLocked());
        RwLock<Integer> lock = new RwLock<>(0);
        lose(lock.write());
        lose(lock.read());
        try (RwLock.WriteGuard<Integer> guard = lock.tryWrite()) {
            assertTrue(guard != null, "both guards were closed");
        }
    }

    @Test
    void aBroadcastMessageNobodyTookIsReceivedAgain() {
        Broadcast<String> channel = new Broadcast<>(4);
        Broadcast.Receiver<String> receiver = channel.subscribe();
        channel.send("a");
        channel.send("b");
        lose(receiver.recv());
        assertEquals("a", receiver.recv().join());
        Task<String> waiting = receiver.recv();
        assertEquals("b", waiting.join());
        Task<String> pending = receiver.recv();
        channel.send("c");
        lose(pending);
        assertEquals("c", receiver.recv().join(), "a waiter's message too");
    }

    @Test
    void aChangeNobodyTookIsSeenAgain() {
        Watch.Channel<Integer> watch = Watch.channel(0);
        watch.sender().send(1);
        lose(watch.receiver().changed());
        assertTrue(watch.receiver().changed().isDone(), "the change is unseen again");
        Task<Void> pending = watch.receiver().changed();
        watch.sender().send(2);
        lose(pending);
        assertTrue(watch.receiver().changed().isDone(), "a waiter's change too");
        assertFalse(watch.receiver().changed().isDone(), "and seen once taken");
    }

    @Test
    void aJoinSetResultNobodyTookIsTakenNext() throws Exception {
        try (Runtime runtime = Runtime.builder().workers(1).build();
             JoinSet<Integer> set = new JoinSet<>(runtime)) {
            set.spawn(() -> 1).join(Duration.ofSeconds(5));
            set.spawn(() -> 2).join(Duration.ofSeconds(5));
            Task<Integer> first = set.next();
            assertTrue(first.isDone());
            lose(first);
            assertEquals(2, set.size(), "the result went back");
            assertEquals(first.resultNow(), set.next().join(), "first in line");
        }
    }
}
