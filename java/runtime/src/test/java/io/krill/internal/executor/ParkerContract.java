package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** What every {@link Parker} must do, as test bodies shared by each parker's test. */
public final class ParkerContract {

    private ParkerContract() {}

    /** An unpark before the park is not lost: the park returns (a lost one hangs the test). */
    public static void unparkBeforeParkIsNotLost(Parker parker) {
        parker.unpark();
        parker.park(-1);
        parker.unpark();
        parker.unpark(); // two unparks make one permit
        parker.park(-1);
    }

    /**
     * Four threads unpark a sleeper 20,000 times in all while it parks whenever it has caught up:
     * a lost wake-up leaves it asleep and the test's timeout fails it.
     *
     * @param bind tells the parker which thread sleeps (ThreadParker needs it), before it starts
     */
    public static void aStormOfWakersNeverLeavesTheSleeperAsleep(Parker parker, Consumer<Thread> bind)
            throws InterruptedException {
        int rounds = 20_000;
        AtomicInteger produced = new AtomicInteger();
        AtomicInteger consumed = new AtomicInteger();
        Thread sleeper = Thread.ofPlatform().unstarted(() -> {
            while (consumed.get() < rounds) {
                if (consumed.get() < produced.get()) {
                    consumed.incrementAndGet();
                } else {
                    parker.park(-1);
                }
            }
        });
        bind.accept(sleeper);
        sleeper.start();
        Thread[] wakers = new Thread[4];
        for (int w = 0; w < wakers.length; w++) {
            wakers[w] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < rounds / 4; i++) {
                    produced.incrementAndGet();
                    parker.unpark();
                }
            });
        }
        for (Thread waker : wakers) {
            waker.join();
        }
        sleeper.join();
        assertEquals(rounds, consumed.get());
    }
}
