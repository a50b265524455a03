package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** What every {@link Parker} must do, as test bodies shared by each parker's test. */
public final class ParkerContract {

    private ParkerContract() {}

    private static final long LONG_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SHORT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * An unpark before the park is not lost: a park with a long timeout returns at once. Two
     * unparks make one permit, not two: after one park consumed it, the next (short) park sleeps
     * its timeout. Parks may return spuriously, so that is required of one of five tries only.
     */
    public static void unparkBeforeParkIsNotLost(Parker parker) {
        parker.unpark();
        long start = System.nanoTime();
        parker.park(LONG_NANOS);
        assertTrue(System.nanoTime() - start < LONG_NANOS / 2, "the pending unpark was lost: the park slept");
        int slept = 0;
        for (int i = 0; i < 5; i++) {
            parker.unpark();
            parker.unpark();
            start = System.nanoTime();
            parker.park(LONG_NANOS);
            assertTrue(System.nanoTime() - start < LONG_NANOS / 2, "the pending unparks were lost: the park slept");
            start = System.nanoTime();
            parker.park(SHORT_NANOS);
            if (System.nanoTime() - start >= SHORT_NANOS) {
                slept++;
            }
        }
        assertTrue(slept > 0, "every park after two unparks returned early: two unparks left two permits");
    }

    /**
     * Four threads unpark a sleeper 20,000 times in all while it parks whenever it has caught up:
     * a lost wake-up leaves it asleep and the test's timeout fails it. The wakers start once it
     * has parked and pause now and then for it to catch up, so it parks on every run (it once
     * consumed a whole storm that had finished before it first ran, and tested nothing).
     *
     * @param bind tells the parker which thread sleeps (ThreadParker needs it), before it starts
     * @return how many times the sleeper parked
     */
    public static int aStormOfWakersNeverLeavesTheSleeperAsleep(Parker parker, Consumer<Thread> bind)
            throws InterruptedException {
        int rounds = 20_000;
        AtomicInteger produced = new AtomicInteger();
        AtomicInteger consumed = new AtomicInteger();
        AtomicInteger parks = new AtomicInteger();
        Thread sleeper = Thread.ofPlatform().unstarted(() -> {
            while (consumed.get() < rounds) {
                if (consumed.get() < produced.get()) {
                    consumed.incrementAndGet();
                } else {
                    parks.incrementAndGet();
                    parker.park(-1);
                }
            }
        });
        bind.accept(sleeper);
        sleeper.start();
        Thread[] wakers = new Thread[4];
        for (int w = 0; w < wakers.length; w++) {
            wakers[w] = Thread.ofPlatform().start(() -> {
                // Start once the sleeper has parked (it does at once: nothing is produced yet), so
                // the storm always meets a parked sleeper, whatever order the threads start in.
                while (parks.get() == 0) {
                    Thread.onSpinWait();
                }
                for (int i = 0; i < rounds / 4; i++) {
                    produced.incrementAndGet();
                    parker.unpark();
                    if (i % 1_000 == 999) { // now and then let it catch up and park again (10 ms at most)
                        long until = System.nanoTime() + 10_000_000;
                        while (consumed.get() < produced.get() && System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                    }
                }
            });
        }
        for (Thread waker : wakers) {
            waker.join();
        }
        sleeper.join();
        assertEquals(rounds, consumed.get());
        assertTrue(parks.get() > 0, "the sleeper never parked: the storm tested nothing");
        return parks.get();
    }
}
