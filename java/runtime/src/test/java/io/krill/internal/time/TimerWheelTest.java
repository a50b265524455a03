package io.krill.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wheel alone, on ticks: firing exactly at the deadline, every level boundary, removal. */
class TimerWheelTest {

    private final List<Long> fired = new ArrayList<>();

    private TimerEntry entry(long deadlineTick) {
        TimerEntry[] self = new TimerEntry[1];
        self[0] = new TimerEntry(() -> fired.add(self[0].deadlineTick));
        self[0].deadlineTick = deadlineTick;
        self[0].setState(TimerEntry.IN_WHEEL);
        return self[0];
    }

    @Test
    void firesAtItsTickNeverBefore() {
        TimerWheel wheel = new TimerWheel();
        assertTrue(wheel.insert(entry(5)));
        assertEquals(5, wheel.nextExpirationTick());
        assertEquals(0, wheel.advance(4));
        assertEquals(List.of(), fired);
        assertEquals(1, wheel.advance(5));
        assertEquals(List.of(5L), fired);
        assertTrue(wheel.isEmpty());
        assertEquals(Long.MAX_VALUE, wheel.nextExpirationTick());
    }

    @Test
    void firesInDeadlineOrderWhenAdvancedPastAll() {
        TimerWheel wheel = new TimerWheel();
        long[] deadlines = {300_000, 7, 64, 63, 4_096, 65, 262_144, 1};
        for (long d : deadlines) {
            wheel.insert(entry(d));
        }
        wheel.advance(1_000_000);
        assertEquals(List.of(1L, 7L, 63L, 64L, 65L, 4_096L, 262_144L, 300_000L), fired);
    }

    @Test
    void cascadesAcrossEveryLevelBoundaryFromAnyStart() {
        for (long start : new long[] {0, 1, 63, 12_345, (1L << 30) - 5}) {
            for (int level = 1; level < TimerWheel.LEVELS; level++) {
                long boundary = 1L << (TimerWheel.SLOT_BITS * level);
                for (long delta : new long[] {-1, 0, 1}) {
                    long deadline = start + boundary + delta;
                    TimerWheel wheel = new TimerWheel();
                    wheel.advance(start);
                    fired.clear();
                    wheel.insert(entry(deadline));
                    assertEquals(0, wheel.advance(deadline - 1), "early at level " + level + " from " + start);
                    assertEquals(1, wheel.advance(deadline), "missed at level " + level + " from " + start);
                    assertEquals(List.of(deadline), fired);
                    assertTrue(wheel.isEmpty());
                }
            }
        }
    }

    @Test
    void stepwiseAdvanceFiresEachOnItsOwnTick() {
        TimerWheel wheel = new TimerWheel();
        for (long d = 1; d <= 5_000; d += 37) {
            wheel.insert(entry(d));
        }
        for (long now = 1; now <= 5_000; now++) {
            int before = fired.size();
            wheel.advance(now);
            for (int i = before; i < fired.size(); i++) {
                assertEquals(now, fired.get(i), "fired on the wrong tick");
            }
        }
        assertEquals(136, fired.size());
    }

    @Test
    void beyondTheWheelsRangeStillFiresOnTime() {
        TimerWheel wheel = new TimerWheel();
        long far = TimerWheel.MAX_DURATION_TICKS * 3 + 17;
        wheel.insert(entry(far));
        long now = 0;
        while (fired.isEmpty()) {
            long next = wheel.nextExpirationTick();
            assertTrue(next <= far, "next expiration " + next + " beyond the deadline");
            now = next;
            wheel.advance(now);
        }
        assertEquals(far, now);
        assertEquals(List.of(far), fired);
    }

    @Test
    void removedEntriesNeverFireAndLeaveNothingBehind() {
        TimerWheel wheel = new TimerWheel();
        List<TimerEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            TimerEntry e = entry(1 + (i * 7919L) % 10_000_000L);
            wheel.insert(e);
            entries.add(e);
        }
        assertEquals(1_000_000, wheel.size());
        for (TimerEntry e : entries) {
            wheel.remove(e);
        }
        assertTrue(wheel.isEmpty(), "a removal left a slot or bitmap bit behind");
        assertEquals(0, wheel.advance(20_000_000));
        assertEquals(List.of(), fired);
    }

    @Test
    void aPassedDeadlineIsRefusedForTheCallerToFire() {
        TimerWheel wheel = new TimerWheel();
        wheel.advance(100);
        assertFalse(wheel.insert(entry(100)));
        assertFalse(wheel.insert(entry(3)));
        assertTrue(wheel.isEmpty());
    }

    @Test
    void levelsAreChosenByTheFirstDifferingSixBitGroup() {
        assertEquals(0, TimerWheel.levelFor(0, 63));
        assertEquals(1, TimerWheel.levelFor(0, 64));
        assertEquals(1, TimerWheel.levelFor(0, 4_095));
        assertEquals(2, TimerWheel.levelFor(0, 4_096));
        assertEquals(5, TimerWheel.levelFor(0, 1L << 35));
        assertEquals(5, TimerWheel.levelFor(0, Long.MAX_VALUE / 2), "far deadlines wait in the top level");
        assertEquals(0, TimerWheel.levelFor(64, 100));
    }
}
