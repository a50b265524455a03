package io.krill.internal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Promise;
import io.krill.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Task.all} and {@code Task.race} against an input that is finishing: granted, so it can
 * no longer be cancelled, but not yet completed (a lock grant completing after the primitive's
 * lock, a system call under way). The combinator must not end before that input has landed and
 * its value has gone back, or whoever sees it end and takes again would find the value missing.
 */
class SettleTest {

    /** An input whose grant is in flight: cancel refuses, {@link #land} completes it. */
    static final class Finishing extends AbstractTask<String> {
        final List<String> handedBack = new ArrayList<>();

        @Override
        public boolean cancel() {
            return false; // granted: the value is on its way
        }

        void land(String value) {
            completeValue(value);
        }

        @Override
        protected void handBack(String value) {
            handedBack.add(value);
        }
    }

    @Test
    void aCancelledAllEndsOnlyOnceAFinishingInputHasLandedAndGivenItsValueBack() {
        Finishing finishing = new Finishing();
        Promise<String> other = Task.promise();
        Task<List<String>> all = Task.all(List.of(finishing, other));
        assertFalse(all.cancel(), "an input is finishing: the all cannot be cancelled yet");
        assertFalse(all.isDone(), "nor end before that input lands");
        assertTrue(other.isCancelled(), "the other input is cancelled at once");
        finishing.land("granted");
        assertEquals(List.of("granted"), finishing.handedBack, "the landed value went back");
        assertTrue(all.isCancelled(), "then the all ends cancelled");
    }

    @Test
    void aFailedAllEndsOnlyOnceAFinishingInputHasLandedAndGivenItsValueBack() {
        Finishing finishing = new Finishing();
        Promise<String> failing = Task.promise();
        Task<List<String>> all = Task.all(List.of(finishing, failing));
        IllegalStateException boom = new IllegalStateException("boom");
        failing.fail(boom);
        assertFalse(all.isDone(), "a failure waits for the finishing input");
        finishing.land("granted");
        assertEquals(List.of("granted"), finishing.handedBack);
        assertSame(boom, all.failureNow(), "then the all fails as its input did");
    }

    @Test
    void anAllCancelledAsItsLastInputLandsDeliversNothingTwice() {
        Finishing finishing = new Finishing();
        Task<List<String>> all = Task.all(List.of(Task.completed("first"), finishing));
        assertFalse(all.cancel());
        finishing.land("last");
        assertTrue(all.isCancelled(), "the cancel claimed the all before the last value: no list is delivered");
        assertEquals(List.of("last"), finishing.handedBack, "and the landed value went back, once");
    }

    @Test
    void aRaceWonWhileALoserIsFinishingEndsOnlyOnceTheLoserGaveItsValueBack() {
        Finishing finishing = new Finishing();
        Promise<String> winner = Task.promise();
        Task<String> race = Task.race(List.of(winner, finishing));
        winner.complete("won");
        assertFalse(race.isDone(), "the loser is finishing: the race waits for it");
        finishing.land("late");
        assertEquals(List.of("late"), finishing.handedBack);
        assertEquals("won", race.resultNow());
    }
}
