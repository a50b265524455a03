package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParkerTest {

    @Test
    void anUnparkBeforeParkIsNotLost() {
        ThreadParker parker = new ThreadParker();
        parker.bind(Thread.currentThread());
        parker.unpark();
        parker.park(); // returns at once: the test would hang (and time out) otherwise
        parker.unpark();
        parker.unpark(); // two unparks make one permit
        parker.park();
    }

    @Test
    void aStormOfWakersNeverLeavesTheSleeperAsleep() throws InterruptedException {
        int rounds = 20_000;
        ThreadParker parker = new ThreadParker();
        AtomicInteger produced = new AtomicInteger();
        AtomicInteger consumed = new AtomicInteger();
        Thread sleeper = Thread.ofPlatform().unstarted(() -> {
            while (consumed.get() < rounds) {
                if (consumed.get() < produced.get()) {
                    consumed.incrementAndGet();
                } else {
                    parker.park();
                }
            }
        });
        parker.bind(sleeper);
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
        sleeper.join(); // a lost wake-up leaves it parked: the timeout fails the test
        assertEquals(rounds, consumed.get());
    }
}
