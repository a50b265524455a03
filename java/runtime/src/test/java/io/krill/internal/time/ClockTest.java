package io.krill.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The clock's arithmetic at its edges: a deadline that overflows means never, not the past. */
class ClockTest {

    @Test
    void aSumPastLongMaxSaturatesAndOneBelowItDoesNot() {
        assertEquals(Long.MAX_VALUE, Clock.saturatedAdd(Long.MAX_VALUE - 1, 2));
        assertEquals(Long.MAX_VALUE, Clock.saturatedAdd(Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE - 1, Clock.saturatedAdd(Long.MAX_VALUE - 3, 2), "no saturation short of the edge");
        assertEquals(Long.MAX_VALUE, Clock.saturatedAdd(Long.MAX_VALUE - 2, 2), "exactly the edge");
        assertEquals(7, Clock.saturatedAdd(5, 2));
        assertEquals(-3, Clock.saturatedAdd(-5, 2), "a time before the origin plus a delay");
    }

    @Test
    void aPausedClockMovesOnlyForwardAndOnlyWhenTold() {
        Clock.PausedClock clock = Clock.paused();
        assertEquals(0, clock.nowNanos());
        clock.advance(10);
        clock.advanceTo(5); // earlier: ignored
        assertEquals(10, clock.nowNanos());
        clock.advanceTo(25);
        assertEquals(25, clock.nowNanos());
        clock.advance(Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, clock.nowNanos(), "saturates");
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
    }
}
