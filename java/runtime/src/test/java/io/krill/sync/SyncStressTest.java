package io.krill.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Coroutine;
import io.krill.Runtime;
import io.krill.Step;
import io.krill.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many tasks on many workers (queues of 4): exact counts, exact order, exact lag. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncStressTest {

    private final Runtime runtime = Runtime.builder().workers(4).localQueueCapacity(4).build();

    @AfterEach
    void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
    }

    /**
     * #13's report: 50,000 tasks each take the lock under a 1-4 ms timeout; whoever gets the
     * guard yields twice and closes it. A timeout that fires as the lock is granted must hand
     * the guard over (the timeout reports success), not drop it: afterwards the lock is free,
     * and every task either held it or timed out.
     */
    @Test
    void aTimeoutRacingALockGrantNeverLosesTheLock() throws Exception {
        timeoutsRacingGrants(lock -> lock);
    }

    /** The same through continuations: a cancelled map or then must hand back the guard it got. */
    @Test
    void aTimeoutRacingALockGrantThroughMapAndThenNeverLosesTheLock() throws Exception {
        timeoutsRacingGrants(lock -> lock.map(guard -> guard));
        // The guard as the outcome of then's task is handed back; a guard captured inside fn's
        // own continuation is that continuation's to close (as a lambda, nothing can close it).
        timeoutsRacingGrants(lock -> lock.then(Task::completed));
    }

    private void timeoutsRacingGrants(java.util.function.UnaryOperator<Task<Mutex.Guard<Integer>>> wrap) throws Exception {
        Mutex<Integer> mutex = new Mutex<>(0);
        int tasks = 50_000;
        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger timedOut = new java.util.concurrent.atomic.AtomicInteger();
        List<Task<Void>> all = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            Duration limit = Duration.ofMillis(1 + i % 4);
            all.add(runtime.spawn(new Coroutine<Void>() {
                Task<Mutex.Guard<Integer>> locking;
                Mutex.Guard<Integer> guard;
                int yields;

                @Override
                public void resume(Step<Void> step) {
                    if (guard == null) {
                        if (locking == null) {
                            locking = io.krill.time.Time.timeout(limit, wrap.apply(mutex.lock()));
                        }
                        if (!step.await(locking)) {
                            return;
                        }
                        if (locking.failureNow() != null) {
                            timedOut.incrementAndGet();
                            step.complete(null);
                            return;
                        }
                        guard = locking.resultNow();
                        guard.set(guard.get() + 1);
                        held.incrementAndGet();
                    }
                    if (yields++ < 2) {
                        step.yieldNow();
                        return;
                    }
                    guard.close();
                    step.complete(null);
                }
            }));
        }
        Task.all(all).join(Duration.ofSeconds(50));
        assertEquals(tasks, held.get() + timedOut.get());
        assertTrue(held.get() > 0 && timedOut.get() > 0, held + " held, " + timedOut + " timed out: the race was not run");
        Mutex.Guard<Integer> after = mutex.tryLock();
        assertTrue(after != null, "the mutex is locked forever: a timeout dropped a granted guard");
        try (after) {
            assertEquals(held.get(), after.get(), "every holder incremented once, under the lock");
        }
    }

    /**
     * Two threads complete both inputs of 20,000 races at once with values that count their
     * closes: the winner's value is the race's, and the loser's is closed either by its producer
     * (its promise was cancelled first, so complete() refused it) or by the race (it had finished
     * too late to win): every value is closed exactly once, none leaks.
     */
    @Test
    void aRaceClosesALoserThatFinishedBeforeItsCancellation() throws Exception {
        int races = 20_000;
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger closedTwice = new java.util.concurrent.atomic.AtomicInteger();
        final class Held implements AutoCloseable {
            final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void close() {
                if (done.compareAndSet(false, true)) {
                    closed.incrementAndGet();
                } else {
                    closedTwice.incrementAndGet();
                }
            }
        }
        List<io.krill.Promise<Held>> firsts = new ArrayList<>();
        List<io.krill.Promise<Held>> seconds = new ArrayList<>();
        List<Task<Held>> all = new ArrayList<>();
        for (int i = 0; i < races; i++) {
            io.krill.Promise<Held> a = Task.promise();
            io.krill.Promise<Held> b = Task.promise();
            firsts.add(a);
            seconds.add(b);
            all.add(Task.race(a, b));
        }
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        Thread[] producers = new Thread[2];
        for (int t = 0; t < 2; t++) {
            List<io.krill.Promise<Held>> mine = t == 0 ? firsts : seconds;
            producers[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (io.krill.Promise<Held> promise : mine) {
                    Held value = new Held();
                    if (!promise.complete(value)) {
                        value.close(); // refused: cancelled first, the value is still ours
                    }
                }
            });
        }
        for (Thread producer : producers) {
            producer.join();
        }
        for (Task<Held> race : all) {
            race.join(Duration.ofSeconds(5)).close();
        }
        assertEquals(0, closedTwice.get(), "a value was closed twice");
        assertEquals(2 * races, closed.get(), "values leaked: a loser that finished before its cancellation was dropped");
    }

    /** The guide's Mutex counter: 10 tasks x 100 increments, here 50 x 1,000. */
    @Test
    void aMutexCounterReachesExactlyN() throws Exception {
        Mutex<Integer> counter = new Mutex<>(0);
        List<Task<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            tasks.add(runtime.spawn(new Coroutine<Void>() {
                int left = 1_000;
                Task<Mutex.Guard<Integer>> pending;

                @Override
                public void resume(Step<Void> step) {
                    while (left > 0) {
                        if (pending == null) {
                            pending = counter.lock();
                        }
                        if (!step.await(pending)) {
                            return;
                        }
                        try (Mutex.Guard<Integer> guard = pending.resultNow()) {
                            guard.set(guard.get() + 1);
                        }
                        pending = null;
                        left--;
                    }
                    step.complete(null);
                }
            }));
        }
        Task.all(tasks).join(Duration.ofSeconds(30));
        assertEquals(50_000, counter.lock().join().get());
    }

    /** The guide's producer/consumer, with 4 producers: every message once, per-sender order. */
    @Test
    void everyMpscMessageArrivesOnceInPerSenderOrder() throws Exception {
        int producers = 4;
        int perProducer = 10_000;
        Mpsc.Channel<long[]> channel = Mpsc.bounded(4);
        List<Mpsc.Sender<long[]>> senders = new ArrayList<>();
        senders.add(channel.sender());
        for (int p = 1; p < producers; p++) {
            senders.add(channel.sender().duplicate());
        }
        for (int p = 0; p < producers; p++) {
            Mpsc.Sender<long[]> sender = senders.get(p);
            long id = p;
            runtime.spawn(new Coroutine<Void>() {
                long seq;
                Task<Void> pending;

                @Override
                public void resume(Step<Void> step) {
                    while (seq < perProducer) {
                        if (pending == null) {
                            pending = sender.send(new long[] {id, seq});
                        }
                        if (!step.await(pending)) {
                            return;
                        }
                        pending = null;
                        seq++;
                    }
                    sender.close();
                    step.complete(null);
                }
            });
        }
        long[] next = new long[producers];
        long received = runtime.blockOn(new Coroutine<Long>() {
            long count;
            Task<long[]> pending;

            @Override
            public void resume(Step<Long> step) {
                for (;;) {
                    if (pending == null) {
                        pending = channel.receiver().recv();
                    }
                    if (!step.await(pending)) {
                        return;
                    }
                    long[] message = pending.resultNow();
                    pending = null;
                    if (message == null) {
                        step.complete(count);
                        return;
                    }
                    if (next[(int) message[0]] != message[1]) {
                        step.fail(new AssertionError("producer " + message[0] + ": expected " + next[(int) message[0]]
                                + ", got " + message[1]));
                        return;
                    }
                    next[(int) message[0]]++;
                    count++;
                }
            }
        });
        assertEquals((long) producers * perProducer, received);
    }

    @Test
    void broadcastLagCountsAreExact() throws Exception {
        int capacity = 16;
        int sent = 1_000;
        Broadcast<Integer> channel = new Broadcast<>(capacity);
        Broadcast.Receiver<Integer> fast = channel.subscribe();
        Broadcast.Receiver<Integer> slow = channel.subscribe();
        java.util.concurrent.atomic.AtomicInteger progress = new java.util.concurrent.atomic.AtomicInteger();
        Task<Integer> fastSum = runtime.spawn(new Coroutine<Integer>() {
            int sum;
            int seen;
            Task<Integer> pending;

            @Override
            public void resume(Step<Integer> step) {
                while (seen < sent) {
                    if (pending == null) {
                        pending = fast.recv();
                    }
                    if (!step.await(pending)) {
                        return;
                    }
                    sum += pending.resultNow();
                    pending = null;
                    seen++;
                    progress.set(seen);
                }
                step.complete(sum);
            }
        });
        for (int i = 0; i < sent; i++) {
            channel.send(i);
            while (progress.get() < i + 1 - capacity / 2) { // keep the fast one within the ring
                Thread.onSpinWait();
            }
        }
        long missed = 0;
        try {
            slow.recv().join();
        } catch (CompletionException e) {
            missed = ((LaggedException) e.getCause()).missed();
        }
        assertEquals(sent - capacity, missed, "exactly the messages no longer kept");
        assertEquals(sent - capacity, slow.recv().join(), "then the oldest kept");
        assertEquals(sent * (sent - 1) / 2, fastSum.join(Duration.ofSeconds(30)).intValue());
    }

    /**
     * Threads lock while a canceller thread cancels their pending locks, some at random moments,
     * some just as they are granted, so that cancellations land between a grant (made by another
     * thread's close) and its completion: each either wins (the permit goes back) or loses (the guard is the owner's).
     * Afterwards the count is exact and the mutex is free: no permit leaked or was made up.
     */
    @Test
    void cancelledLocksNeverLeakTheMutex() throws Exception {
        Mutex<long[]> mutex = new Mutex<>(new long[1]);
        java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<Task<?>> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Thread[] lockers = new Thread[3];
        for (int t = 0; t < lockers.length; t++) {
            lockers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    Task<Mutex.Guard<long[]>> lock = mutex.lock();
                    pending.offer(lock);
                    Mutex.Guard<long[]> guard;
                    try {
                        guard = lock.join();
                    } catch (java.util.concurrent.CancellationException cancelled) {
                        continue;
                    }
                    try (guard) {
                        guard.get()[0]++;
                        held.incrementAndGet();
                    }
                }
            });
        }
        Thread canceller = Thread.ofPlatform().start(() -> {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            while (!Thread.currentThread().isInterrupted()) {
                Task<?> lock = pending.poll();
                if (lock == null || random.nextBoolean()) {
                    continue;
                }
                if (lock instanceof Waiter<?> queued && random.nextBoolean()) {
                    // Aim at the window: wait for the grant (made under the semaphore's monitor)
                    // and cancel at once, racing the granter's completion after the monitor.
                    while (!lock.isDone()) {
                        boolean granted;
                        synchronized (queued.lock) {
                            granted = queued.granted;
                        }
                        if (granted) {
                            lock.cancel();
                            break;
                        }
                    }
                } else {
                    lock.cancel();
                }
            }
        });
        for (Thread locker : lockers) {
            locker.join();
        }
        canceller.interrupt();
        canceller.join();
        Mutex.Guard<long[]> guard = mutex.tryLock();
        assertEquals(held.get(), guard.get()[0]);
        guard.close();
        assertFalse(mutex.isLocked());
    }

    /**
     * Producers reserve, cancelling at random, while the consumer's receives admit reserves from
     * its thread: every message sent arrives, and afterwards the whole capacity is free again.
     */
    @Test
    void cancelledReservesNeverLeakChannelCapacity() throws Exception {
        int capacity = 2;
        Mpsc.Channel<Integer> channel = Mpsc.bounded(capacity);
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        Thread[] producers = new Thread[3];
        for (int p = 0; p < producers.length; p++) {
            Mpsc.Sender<Integer> sender = channel.sender().duplicate();
            producers[p] = Thread.ofPlatform().start(() -> {
                java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
                for (int i = 0; i < 20_000; i++) {
                    Task<Mpsc.Permit<Integer>> reserve = sender.reserve();
                    if (random.nextBoolean() && reserve.cancel()) {
                        continue;
                    }
                    reserve.join().send(i);
                    sent.incrementAndGet();
                }
                sender.close();
            });
        }
        java.util.concurrent.CompletableFuture<Long> received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            long count = 0;
            while (channel.receiver().recv().join() != -1) {
                count++;
            }
            return count;
        }, command -> Thread.ofPlatform().start(command));
        for (Thread producer : producers) {
            producer.join();
        }
        Mpsc.Sender<Integer> probe = channel.sender(); // still open: the channel has not ended
        probe.send(-1).join();
        assertEquals(sent.get(), received.get(30, TimeUnit.SECONDS));
        for (int i = 0; i < capacity; i++) {
            assertTrue(probe.trySend(i), "every slot came back");
        }
        assertFalse(probe.trySend(capacity), "and no more than the capacity");
    }
}
