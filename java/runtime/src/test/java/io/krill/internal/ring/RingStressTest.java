package io.krill.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.NativeLibrary;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Producers and a consumer racing on rings of 4 records: every record once, in order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingStressTest {

    private static final int EVENTS = 500_000;

    /** Checks each record's token is the next expected one. */
    private static final class InOrder implements SpscRing.EventHandler {
        long expected;
        int wrong;

        @Override
        public void onEvent(long token, int readiness, int result) {
            if (token != expected || readiness != (int) (token & 0x1f) || result != -(int) (token & 7)) {
                wrong++;
            }
            expected++;
        }
    }

    @Test
    void aCProducerThreadAgainstAJavaConsumer() {
        NativeLibrary.load();
        RingShim.load();
        try (Arena arena = Arena.ofShared()) {
            SpscRing ring = SpscRing.allocate(arena, 4);
            long producer = RingShim.startProducer(ring.address(), EVENTS);
            InOrder check = new InOrder();
            while (check.expected < EVENTS) {
                if (ring.drain(check, 8) == 0) {
                    Thread.onSpinWait();
                }
            }
            assertEquals(0, RingShim.joinProducer(producer));
            assertEquals(0, check.wrong);
            assertEquals(0, ring.size());
        }
    }

    @Test
    void aJavaProducerThreadAgainstAJavaConsumer() throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            SpscRing ring = SpscRing.allocate(arena, 4);
            AtomicInteger refusals = new AtomicInteger();
            Thread producer = Thread.ofPlatform().start(() -> {
                for (long token = 0; token < EVENTS; ) {
                    if (ring.offer(token, (int) (token & 0x1f), -(int) (token & 7))) {
                        token++;
                    } else {
                        refusals.incrementAndGet();
                        Thread.onSpinWait();
                    }
                }
            });
            InOrder check = new InOrder();
            while (check.expected < EVENTS) {
                if (ring.drain(check, 8) == 0) {
                    Thread.onSpinWait();
                }
            }
            producer.join();
            assertEquals(0, check.wrong);
            assertTrue(refusals.get() > 0, "a ring of 4 must have been full at times: the wrap under a full ring was not run");
        }
    }

    @Test
    void manyProducersIntoAnMpscRingKeepPerProducerOrder() throws InterruptedException {
        int producers = 4;
        int perProducer = 100_000;
        try (Arena arena = Arena.ofShared()) {
            MpscRing ring = MpscRing.allocate(arena, 4);
            AtomicBoolean go = new AtomicBoolean();
            AtomicInteger refusals = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long id = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    for (long seq = 0; seq < perProducer; ) {
                        // Every other record carries an object naming it: it must arrive with its record.
                        if (ring.offer(id, seq, (seq & 1) == 0 ? Long.valueOf(id * perProducer + seq) : null)) {
                            seq++;
                        } else {
                            refusals.incrementAndGet();
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            long[] next = new long[producers];
            int[] wrong = new int[1];
            long total = 0;
            go.set(true);
            while (total < (long) producers * perProducer) {
                int n = ring.poll((id, seq, attachment) -> {
                    if (next[(int) id] != seq) {
                        wrong[0]++;
                    }
                    Object expected = (seq & 1) == 0 ? Long.valueOf(id * perProducer + seq) : null;
                    if (!java.util.Objects.equals(expected, attachment)) {
                        wrong[0]++;
                    }
                    next[(int) id] = seq + 1;
                }, 16);
                total += n;
                if (n == 0) {
                    Thread.onSpinWait();
                }
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(0, wrong[0], "per-producer order broken, a record seen twice, or an attachment on the wrong record");
            assertTrue(refusals.get() > 0, "a ring of 4 under 4 producers must have been full at times");
            for (long n : next) {
                assertEquals(perProducer, n);
            }
            assertEquals(0, ring.size());
        }
    }

    @Test
    void anMpscRingRefusesWhenFullAndWrapsAfter() {
        try (Arena arena = Arena.ofShared()) {
            MpscRing ring = MpscRing.allocate(arena, 4);
            List<Long> seen = new ArrayList<>();
            for (long round = 0; round < 50; round++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(true, ring.offer(round, i));
                }
                assertEquals(false, ring.offer(round, 4), "full");
                assertEquals(4, ring.poll((a, b, attachment) -> seen.add(a * 10 + b), 10));
            }
            assertEquals(200, seen.size());
            for (int i = 0; i < 200; i++) {
                assertEquals((i / 4) * 10L + (i % 4), seen.get(i));
            }
        }
    }
}
