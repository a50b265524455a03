package io.krill.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-worker queue on a paused clock: deferred insertion, cross-thread cancel, reuse. */
class TimerQueueTest {

    private final Clock.PausedClock clock = Clock.paused();
    private final TimerQueue timers = new TimerQueue(clock);
    private final AtomicInteger fired = new AtomicInteger();

    /** JUnit runs each test on a thread of its own (see junit-platform.properties): own it there. */
    private void own() {
        timers.bindOwner(Thread.currentThread());
    }

    @Test
    void deadlinesRoundUpToTheNextTick() {
        own();
        assertEquals(0, TimerQueue.tickFor(0));
        assertEquals(1, TimerQueue.tickFor(1));
        assertEquals(1, TimerQueue.tickFor(1_000_000));
        assertEquals(2, TimerQueue.tickFor(1_000_001));
    }

    @Test
    void aTimerCancelledBeforeTheFlushNeverTouchesTheWheel() {
        own();
        TimerEntry entry = new TimerEntry(fired::incrementAndGet);
        timers.schedule(entry, 5_000_000);
        assertTrue(entry.cancel());
        timers.flush();
        assertEquals(0, timers.size());
        clock.advance(10_000_000);
        timers.process();
        assertEquals(0, fired.get());
    }

    /**
     * Found by #13's storms (a sleep that never ended): entries due in one slot are fired from
     * a detached list; a waker that cancels a later entry of that list on the owner thread (a
     * timeout firing, which completes a task, whose completion cancels another timeout's timer)
     * unlinked it at once and cut the rest of the list off: those timers never fired.
     */
    @Test
    void aWakerCancellingATimerOfTheSameSlotLosesNoOther() {
        own();
        TimerEntry[] cancelledByTheFirst = new TimerEntry[1];
        AtomicInteger firsts = new AtomicInteger();
        TimerEntry first = new TimerEntry(() -> {
            firsts.incrementAndGet();
            assertTrue(cancelledByTheFirst[0].cancel());
        });
        TimerEntry last = new TimerEntry(fired::incrementAndGet);
        cancelledByTheFirst[0] = new TimerEntry(() -> {
            throw new AssertionError("a cancelled timer fired");
        });
        // One slot, linked at its head in turn: the list is first, then the cancelled one, then last.
        timers.schedule(last, 3_000_000);
        timers.schedule(cancelledByTheFirst[0], 3_000_000);
        timers.schedule(first, 3_000_000);
        timers.flush();
        clock.advance(3_000_000);
        timers.process();
        assertEquals(1, firsts.get());
        assertEquals(1, fired.get(), "the timer behind the cancelled one fired too");
        assertEquals(0, timers.size());
        assertTrue(timers.wheelIsEmpty());
    }

    @Test
    void firesAtTheDeadlineOnThePausedClock() {
        own();
        TimerEntry entry = new TimerEntry(fired::incrementAndGet);
        timers.schedule(entry, 2_500_000); // 2.5 ms: tick 3
        timers.process();
        assertEquals(3_000_000, timers.nextDeadlineNanos());
        clock.advance(2_999_999);
        timers.process();
        assertEquals(0, fired.get(), "never early");
        clock.advance(1);
        timers.process();
        assertEquals(1, fired.get());
        assertTrue(entry.isFired());
        assertFalse(entry.cancel(), "cancel after fire reports false");
    }

    @Test
    void aCancelFromAnotherThreadIsUnlinkedByTheOwner() throws InterruptedException {
        own();
        TimerEntry entry = new TimerEntry(fired::incrementAndGet);
        timers.schedule(entry, 5_000_000);
        timers.flush();
        assertEquals(1, timers.size());
        boolean[] cancelled = new boolean[1];
        Thread other = Thread.ofPlatform().start(() -> cancelled[0] = entry.cancel());
        other.join();
        assertTrue(cancelled[0]);
        assertEquals(1, timers.size(), "the other thread does not touch the wheel");
        timers.process();
        assertEquals(0, timers.size());
        assertTrue(timers.wheelIsEmpty());
        clock.advance(10_000_000);
        timers.process();
        assertEquals(0, fired.get());
    }

    @Test
    void anEntryIsReusableAfterItFiresOrIsCancelled() {
        own();
        TimerEntry entry = new TimerEntry(fired::incrementAndGet);
        for (int round = 1; round <= 3; round++) {
            timers.schedule(entry, clock.nowNanos() + 1_000_000);
            assertThrows(IllegalStateException.class, () -> timers.schedule(entry, 0));
            clock.advance(1_000_000);
            timers.process();
            assertEquals(round, fired.get());
        }
        timers.schedule(entry, clock.nowNanos() + 1_000_000);
        timers.flush();
        assertTrue(entry.cancel());
        timers.schedule(entry, clock.nowNanos() + 1_000_000);
        clock.advance(1_000_000);
        timers.process();
        assertEquals(4, fired.get());
        assertTrue(timers.wheelIsEmpty());
    }

    @Test
    void aMillionTimersScheduledAndCancelledLeaveNothing() {
        own();
        TimerEntry[] entries = new TimerEntry[1_000];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new TimerEntry(fired::incrementAndGet);
        }
        for (int round = 0; round < 1_000; round++) {
            for (TimerEntry entry : entries) {
                timers.schedule(entry, clock.nowNanos() + 1_000_000L * (1 + round % 500));
            }
            timers.flush();
            for (TimerEntry entry : entries) {
                entry.cancel();
            }
        }
        assertTrue(timers.wheelIsEmpty());
        clock.advance(10_000_000_000L);
        timers.process();
        assertEquals(0, fired.get());
    }
}
