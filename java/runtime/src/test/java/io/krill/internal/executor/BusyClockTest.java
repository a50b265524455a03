package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The busy clock's one-word encoding, with made-up timestamps where a pause freezes the value. */
class BusyClockTest {

    @Test
    void aPausedClockAnswersTheBusyTimeUpToThePauseAndANewOneNothing() {
        BusyClock clock = new BusyClock();
        assertEquals(0, clock.busyNanos(), "never resumed: never busy");
        clock.resume(1_000);
        clock.pause(1_700);
        assertEquals(700, clock.busyNanos());
        clock.resume(5_000);
        clock.pause(5_050);
        assertEquals(750, clock.busyNanos(), "the parked time between 1,700 and 5,000 is not counted");
    }

    @Test
    void aSecondPauseOrResumeChangesNothing() {
        BusyClock clock = new BusyClock();
        clock.resume(100);
        clock.pause(400);
        clock.pause(900); // an ended worker pauses again after its last park: nothing more to count
        assertEquals(300, clock.busyNanos());
        clock.resume(1_000);
        clock.resume(2_000); // already running: keeps the first wake
        clock.pause(3_000);
        assertEquals(2_300, clock.busyNanos());
    }

    @Test
    void aRunningClockGrowsWithTheReadersClock() throws InterruptedException {
        BusyClock clock = new BusyClock();
        clock.resume(System.nanoTime());
        long first = clock.busyNanos();
        Thread.sleep(2);
        long second = clock.busyNanos();
        assertTrue(second > first, first + " then " + second);
    }
}
