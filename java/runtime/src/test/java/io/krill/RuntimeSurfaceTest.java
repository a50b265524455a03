package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Public methods of the runtime's face that no other test calls (#18's list): each with a valid
 * value and what it must then do.
 */
class RuntimeSurfaceTest {

    @Test
    void abortAllCancelsEveryTaskOfAJoinSetAndTheirResultsArrive() {
        try (Runtime runtime = Runtime.builder().workers(2).build(); JoinSet<Integer> set = new JoinSet<>(runtime)) {
            Promise<Integer> never = Task.promise();
            for (int i = 0; i < 3; i++) {
                set.spawn(new Coroutine<Integer>() {
                    @Override
                    public void resume(Step<Integer> step) {
                        if (step.isCancelled()) {
                            return;
                        }
                        if (step.await(never)) {
                            step.complete(0);
                        }
                    }
                });
            }
            assertEquals(3, set.size());
            set.abortAll();
            for (int i = 0; i < 3; i++) {
                Task<Integer> next = set.next();
                assertThrows(CancellationException.class, next::join);
            }
            assertTrue(set.isEmpty());
        }
    }

    @Test
    void aFailedPromiseFailsOnceAndItsWaitersSeeTheCause() {
        Promise<Integer> promise = Task.promise();
        IllegalStateException cause = new IllegalStateException("no");
        assertTrue(promise.fail(cause));
        assertFalse(promise.fail(new IllegalStateException("again")), "finished already");
        assertFalse(promise.complete(1), "finished already");
        CompletionException e = assertThrows(CompletionException.class, promise::join);
        assertSame(cause, e.getCause());
    }

    @Test
    void raceOverACollectionOfRealTasksTakesTheFirstAndCancelsTheRest() {
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            Promise<String> slow = Task.promise();
            JoinHandle<String> fast = runtime.spawn(() -> "fast");
            Task<String> winner = runtime.blockOn(() -> Task.race(List.of(slow, fast)));
            assertEquals("fast", winner.join());
            assertTrue(slow.isCancelled(), "the loser is cancelled");
            assertInstanceOf(CancellationException.class, assertThrows(CancellationException.class, slow::join));
        }
    }
}
