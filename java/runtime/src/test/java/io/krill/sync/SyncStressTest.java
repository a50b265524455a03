package io.krill.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
