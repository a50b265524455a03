package io.krill.internal.executor;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParkerTest {

    @Test
    void anUnparkBeforeParkIsNotLost() {
        ThreadParker parker = new ThreadParker();
        parker.bind(Thread.currentThread());
        ParkerContract.unparkBeforeParkIsNotLost(parker);
    }

    @Test
    void aStormOfWakersNeverLeavesTheSleeperAsleep() throws InterruptedException {
        ThreadParker parker = new ThreadParker();
        ParkerContract.aStormOfWakersNeverLeavesTheSleeperAsleep(parker, parker::bind);
    }
}
