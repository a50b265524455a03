package io.krill.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Contest;
import io.krill.Coroutine;
import io.krill.JoinSet;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import io.krill.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * #13's rule, under storms on four workers (queues of 4): when a cancellation (a timeout, a
 * race against a timer, either through a continuation) loses to a completion, the value is
 * delivered or given back, never lost. Every waiting operation of the sync primitives (and
 * {@code JoinSet.next}) is given up on at random, short deadlines, thousands of times, while
 * values keep coming; afterwards each primitive is exact: every message received once and in
 * order, every notification and change seen, every permit and slot back.
 *
 * <p>Each test prints what the storm did (operations that finished, cancellations that won).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CancelSafetyStressTest {

    private final Runtime runtime = Runtime.builder().workers(4).localQueueCapacity(4).build();

    @AfterEach
    void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
    }

    /** What a storm did: operations that delivered a value, cancellations that won. */
    private static final class Tally {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong cancelled = new AtomicLong();

        void print(String what) {
            System.out.println("CancelSafetyStressTest " + what + ": " + delivered + " delivered, "
                    + cancelled + " given up on");
        }

        void assertBothHappened(String what) {
            assertTrue(delivered.get() > 0 && cancelled.get() > 0,
                    what + ": " + delivered + " delivered, " + cancelled + " given up on: the race was not run");
        }
    }

    /**
     * A task that takes from {@code op} again and again, each time given up on in one of
     * {@code contests} (in turn), until {@code took} says it has all it wanted.
     */
    private <T> Task<Void> contender(Contest[] contests, Supplier<Task<T>> op, Predicate<T> took, Tally tally) {
        return runtime.spawn(new Coroutine<Void>() {
            Task<T> pending;
            int round;

            @Override
            public void resume(Step<Void> step) {
                for (;;) {
                    if (pending == null) {
                        pending = contests[round++ % contests.length].around(op.get());
                    }
                    if (!step.await(pending)) {
                        return;
                    }
                    Task<T> done = pending;
                    pending = null;
                    Throwable failure = done.failureNow();
                    if (failure != null) {
                        if (!(failure instanceof TimeoutException)) {
                            step.fail(failure);
                            return;
                        }
                        tally.cancelled.incrementAndGet();
                        continue;
                    }
                    tally.delivered.incrementAndGet();
                    if (took.test(done.resultNow())) {
                        step.complete(null);
                        return;
                    }
                    if (round % 8 == 0) {
                        step.yieldNow(); // let the producers run on this worker too
                        return;
                    }
                }
            }
        });
    }

    /**
     * Half the time nothing, else a sleep of up to 2 ms (two timer ticks): values then come
     * about when the contenders' deadlines fall, so that cancellations race completions.
     */
    private static Task<Void> pause() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return random.nextBoolean() ? Task.completed(null) : Time.sleep(Duration.ofNanos(random.nextLong(1, 2_000_000)));
    }

    /**
     * A task that, for 0 ..< count, pauses, then awaits {@code each}'s task (a send waiting for
     * room, an acknowledgement) before the next.
     */
    private Task<Void> producer(int count, java.util.function.IntFunction<Task<?>> each) {
        return runtime.spawn(new Coroutine<Void>() {
            int next;
            Task<?> sending;

            @Override
            public void resume(Step<Void> step) {
                for (;;) {
                    if (sending == null) {
                        if (next == count) {
                            step.complete(null);
                            return;
                        }
                        int item = next++;
                        sending = pause().then(paused -> each.apply(item));
                    }
                    if (!step.await(sending)) {
                        return;
                    }
                    Throwable failure = sending.failureNow();
                    if (failure != null) {
                        step.fail(failure);
                        return;
                    }
                    sending = null;
                }
            }
        });
    }

    /** Takes {@code acquire}'s value again and again, holding it for a pause each time, until {@code stop}. */
    static volatile Object lastHog;

    private <G extends AutoCloseable> Task<Void> hog(Supplier<Task<G>> acquire, java.util.function.BooleanSupplier stop) {
        return runtime.spawn(new Coroutine<Void>() {
            Task<G> taking;
            G held;
            Task<Void> holding;
            { lastHog = this; }

            @Override
            public String toString() {
                return "hog[taking " + taking + ", held " + held + ", holding " + holding + "]";
            }

            @Override
            public void resume(Step<Void> step) {
                for (;;) {
                    if (held == null) {
                        if (taking == null) {
                            if (stop.getAsBoolean()) { // only between holds: a taking that came is held and closed
                                step.complete(null);
                                return;
                            }
                            taking = acquire.get();
                        }
                        if (!step.await(taking)) {
                            return;
                        }
                        held = taking.resultNow();
                        taking = null;
                        holding = Time.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000)));
                    }
                    if (!step.await(holding)) {
                        return;
                    }
                    try {
                        held.close();
                    } catch (Exception e) {
                        step.fail(e);
                        return;
                    }
                    held = null;
                }
            }
        });
    }

    private static void join(Task<?> task) throws Exception {
        task.join(Duration.ofSeconds(100));
        assertNull(task.failureNow());
    }

    @Test
    void mpscRecvGivenUpOnLosesNoMessage() throws Exception {
        int producers = 3;
        int each = 1_000;
        Mpsc.Channel<Integer> channel = Mpsc.bounded(4);
        List<Task<Void>> sending = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            Mpsc.Sender<Integer> sender = channel.sender().duplicate();
            int base = p * 1_000_000;
            sending.add(producer(each, i -> sender.send(base + i)).map(done -> {
                sender.close();
                return null;
            }));
        }
        channel.sender().close();
        int[] nextOf = new int[producers];
        AtomicInteger wrong = new AtomicInteger();
        Tally tally = new Tally();
        Task<Void> receiving = contender(Contest.FOR_PLAIN_VALUES, channel.receiver()::recv, message -> {
            if (message == null) {
                return true; // every sender closed, nothing left
            }
            int p = message / 1_000_000;
            if (message % 1_000_000 != nextOf[p]++) {
                wrong.incrementAndGet();
            }
            return false;
        }, tally);
        join(Task.all(sending));
        join(receiving);
        tally.print("mpsc recv");
        for (int p = 0; p < producers; p++) {
            assertEquals(each, nextOf[p], "producer " + p + "'s messages received");
        }
        assertEquals(0, wrong.get(), "messages out of order: one was lost or given back out of place");
        tally.assertBothHappened("mpsc recv");
    }

    /** A send under a timeout: a timeout that loses reports the send, so retrying never duplicates. */
    @Test
    void mpscSendUnderATimeoutIsReportedExactly() throws Exception {
        int messages = 1_500;
        Mpsc.Channel<Integer> channel = Mpsc.bounded(2);
        Mpsc.Sender<Integer> sender = channel.sender();
        Tally tally = new Tally();
        int[] next = {0};
        Task<Void> sending = contender(new Contest[] {Contest.TIMEOUT}, () -> sender.send(next[0]), sent -> {
            return ++next[0] == messages;
        }, tally);
        List<Integer> received = new ArrayList<>();
        Task<Void> receiving = producer(messages, i -> channel.receiver().recv().map(m -> {
            received.add(m);
            return m;
        }));
        join(sending);
        join(receiving);
        tally.print("mpsc send");
        assertEquals(messages, received.size());
        for (int i = 0; i < messages; i++) {
            assertEquals(i, received.get(i), "message " + i + ": a send reported as timed out had been sent");
        }
        assertNull(channel.receiver().tryRecv(), "no message sent twice");
        tally.assertBothHappened("mpsc send");
    }

    @Test
    void mpscReserveGivenUpOnLosesNoSlot() throws Exception {
        int capacity = 3;
        int messages = 1_500;
        Mpsc.Channel<Integer> channel = Mpsc.bounded(capacity);
        Mpsc.Sender<Integer> sender = channel.sender();
        Tally tally = new Tally();
        int[] next = {0};
        Task<Void> reserving = contender(Contest.FOR_HELD_VALUES, sender::reserve, permit -> {
            permit.send(next[0]);
            return ++next[0] == messages;
        }, tally);
        int[] received = {0};
        Task<Void> receiving = producer(messages, i -> channel.receiver().recv().map(m -> {
            assertEquals(received[0]++, m);
            return m;
        }));
        join(reserving);
        join(receiving);
        tally.print("mpsc reserve");
        for (int i = 0; i < capacity; i++) {
            assertTrue(sender.trySend(i), "slot " + i + " came back");
        }
        assertFalse(sender.trySend(capacity), "and no more than the capacity");
        tally.assertBothHappened("mpsc reserve");
    }

    /**
     * Each notifyOne waits for its acknowledgement before the next: one lost (taken by a task
     * given up on, not passed on) would stop the storm, and the join would time out.
     */
    @Test
    void notifyOneGivenUpOnIsPassedOn() throws Exception {
        int notifications = 1_000;
        Notify notify = new Notify();
        Semaphore acks = new Semaphore(0);
        Tally tally = new Tally();
        AtomicInteger seen = new AtomicInteger();
        List<Task<Void>> waiters = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            waiters.add(contender(Contest.FOR_PLAIN_VALUES, notify::notified, none -> {
                acks.release();
                return seen.incrementAndGet() >= notifications;
            }, tally));
        }
        Task<Void> notifying = producer(notifications, i -> {
            notify.notifyOne();
            return acks.acquire();
        });
        join(notifying);
        notify.notifyOne(); // for the waiter that did not take the last one
        join(Task.all(waiters));
        tally.print("notify");
        assertEquals(notifications + 1, seen.get(), "every notification seen once");
        tally.assertBothHappened("notify");
    }

    @Test
    void broadcastRecvGivenUpOnLosesNoPosition() throws Exception {
        int messages = 1_500;
        Broadcast<Integer> channel = new Broadcast<>(messages); // no lag: every message stays in the ring
        Tally tally = new Tally();
        List<int[]> nexts = new ArrayList<>();
        List<Task<Void>> receivers = new ArrayList<>();
        AtomicInteger wrong = new AtomicInteger();
        for (int r = 0; r < 2; r++) {
            Broadcast.Receiver<Integer> receiver = channel.subscribe();
            int[] next = {0};
            nexts.add(next);
            receivers.add(contender(Contest.FOR_PLAIN_VALUES, receiver::recv, message -> {
                if (message != next[0]++) {
                    wrong.incrementAndGet();
                }
                return next[0] == messages;
            }, tally));
        }
        join(producer(messages, i -> {
            channel.send(i);
            return Task.completed(null);
        }));
        join(Task.all(receivers));
        tally.print("broadcast");
        assertEquals(0, wrong.get(), "a receiver skipped or repeated a message");
        for (int[] next : nexts) {
            assertEquals(messages, next[0]);
        }
        tally.assertBothHappened("broadcast");
    }

    /** Each change waits to be seen before the next: a change lost would stop the storm. */
    @Test
    void watchChangedGivenUpOnIsSeenAgain() throws Exception {
        int changes = 1_000;
        Watch.Channel<Integer> watch = Watch.channel(0);
        Semaphore acks = new Semaphore(0);
        Tally tally = new Tally();
        AtomicInteger last = new AtomicInteger();
        Watch.Receiver<Integer> receiver = watch.receiver();
        Task<Void> watching = contender(Contest.FOR_PLAIN_VALUES, receiver::changed, none -> {
            last.set(receiver.borrow());
            acks.release();
            return last.get() == changes;
        }, tally);
        Task<Void> changing = producer(changes, i -> {
            watch.sender().send(i + 1);
            return acks.acquire();
        });
        join(changing);
        join(watching);
        tally.print("watch");
        assertEquals(changes, last.get());
        tally.assertBothHappened("watch");
    }

    @Test
    void semaphoreAcquireGivenUpOnLosesNoPermit() throws Exception {
        long permits = 3;
        Semaphore semaphore = new Semaphore(permits);
        Tally tally = new Tally();
        AtomicBoolean over = new AtomicBoolean();
        Task<Void> hog = hog(() -> semaphore.acquire(permits).map(none -> () -> semaphore.release(permits)), over::get);
        List<Task<Void>> acquirers = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            long amount = 1 + a % 2;
            int[] held = {0};
            acquirers.add(contender(Contest.FOR_PLAIN_VALUES, () -> semaphore.acquire(amount), none -> {
                semaphore.release(amount);
                return ++held[0] == 500;
            }, tally));
        }
        join(Task.all(acquirers));
        over.set(true);
        join(hog);
        tally.print("semaphore");
        assertEquals(permits, semaphore.availablePermits(), "every permit is back");
        assertEquals(0, semaphore.queuedWaiters());
        tally.assertBothHappened("semaphore");
    }

    @Test
    void rwLockGivenUpOnLeavesItFree() throws Exception {
        RwLock<long[]> lock = new RwLock<>(new long[1]);
        Tally tally = new Tally();
        AtomicLong writes = new AtomicLong();
        AtomicBoolean over = new AtomicBoolean();
        Task<Void> hog = hog(lock::write, over::get);
        List<Task<Void>> users = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            int[] done = {0};
            if (u % 2 == 0) {
                users.add(contender(Contest.FOR_HELD_VALUES, lock::write, guard -> {
                    try (guard) {
                        guard.get()[0]++;
                    }
                    writes.incrementAndGet();
                    return ++done[0] == 500;
                }, tally));
            } else {
                users.add(contender(Contest.FOR_HELD_VALUES, lock::read, guard -> {
                    guard.close();
                    return ++done[0] == 500;
                }, tally));
            }
        }
        try {
            Task.all(users).join(Duration.ofSeconds(20));
        } catch (TimeoutException stuck) {
            throw new AssertionError("stuck: permits " + lock.semaphore.availablePermits() + " of " + RwLock.MAX_READERS
                    + ", queued " + lock.semaphore.queuedWaiters() + ", users " + users + ", hog " + hog + " " + lastHog, stuck);
        }
        over.set(true);
        join(hog);
        tally.print("rwlock");
        RwLock.WriteGuard<long[]> after = lock.tryWrite();
        assertNotNull(after, () -> "a guard was lost: the lock is held forever (permits "
                + lock.semaphore.availablePermits() + " of " + RwLock.MAX_READERS + ", " + lock.semaphore.queuedWaiters() + " queued)");
        try (after) {
            assertEquals(writes.get(), after.get()[0]);
        }
        tally.assertBothHappened("rwlock");
    }

    @Test
    void mutexGivenUpOnInEveryWayLeavesItFree() throws Exception {
        Mutex<long[]> mutex = new Mutex<>(new long[1]);
        Tally tally = new Tally();
        AtomicLong holds = new AtomicLong();
        AtomicBoolean over = new AtomicBoolean();
        Task<Void> hog = hog(mutex::lock, over::get);
        List<Task<Void>> users = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            int[] done = {0};
            users.add(contender(Contest.FOR_HELD_VALUES, mutex::lock, guard -> {
                try (guard) {
                    guard.get()[0]++;
                }
                holds.incrementAndGet();
                return ++done[0] == 500;
            }, tally));
        }
        join(Task.all(users));
        over.set(true);
        join(hog);
        tally.print("mutex");
        Mutex.Guard<long[]> after = mutex.tryLock();
        assertNotNull(after, "a guard was lost: the mutex is locked forever");
        try (after) {
            assertEquals(holds.get(), after.get()[0]);
        }
        tally.assertBothHappened("mutex");
    }

    @Test
    void joinSetNextGivenUpOnLosesNoResult() throws Exception {
        int tasks = 1_500;
        try (JoinSet<Integer> set = new JoinSet<>(runtime)) {
            for (int i = 0; i < tasks; i++) {
                int value = i;
                set.spawn(new Coroutine<Integer>() {
                    Task<Void> sleeping;

                    @Override
                    public void resume(Step<Integer> step) {
                        if (sleeping == null) {
                            sleeping = Time.sleep(Duration.ofMillis(value)); // about one result per tick
                        }
                        if (step.await(sleeping)) {
                            step.complete(value);
                        }
                    }
                });
            }
            boolean[] seen = new boolean[tasks];
            AtomicInteger twice = new AtomicInteger();
            int[] count = {0};
            Tally tally = new Tally();
            join(contender(Contest.FOR_PLAIN_VALUES, set::next, value -> {
                if (seen[value]) {
                    twice.incrementAndGet();
                }
                seen[value] = true;
                return ++count[0] == tasks;
            }, tally));
            tally.print("join set");
            assertEquals(0, twice.get(), "a result was delivered twice");
            for (int i = 0; i < tasks; i++) {
                assertTrue(seen[i], "result " + i + " was lost");
            }
            assertTrue(set.isEmpty(), "the set holds " + set.size() + " more");
        }
    }
}
