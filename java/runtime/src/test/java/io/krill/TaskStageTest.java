package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** #15: the CompletionStage habits on Task, and a CompletableFuture whose cancel cancels the task. */
class TaskStageTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Runtime runtime = Runtime.builder().workers(1).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static Throwable failureOf(Task<?> task) {
        return assertThrows(CompletionException.class, () -> task.join(WAIT)).getCause();
    }

    @Test
    void whenCompleteSeesTheOutcomeAndPassesItThroughUnchanged() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Promise<String> ok = Task.promise();
        Task<String> okAfter = ok.whenComplete((value, failure) -> seen.add(value + "/" + failure));
        ok.complete("v");
        assertEquals("v", okAfter.join(WAIT));

        IllegalStateException boom = new IllegalStateException("boom");
        Promise<String> failing = Task.promise();
        Task<String> failedAfter = failing.whenComplete((value, failure) -> seen.add(value + "/" + failure.getMessage()));
        failing.fail(boom);
        assertSame(boom, failureOf(failedAfter), "the same failure, not wrapped again");

        Promise<String> cancelled = Task.promise();
        Task<String> cancelledAfter = cancelled.whenComplete((value, failure) -> seen.add(
                failure instanceof CancellationException ? "cancelled" : "not a cancellation: " + failure));
        cancelled.cancel();
        assertThrows(CancellationException.class, () -> cancelledAfter.join(WAIT));
        assertTrue(cancelledAfter.isCancelled(), "a cancellation stays one");
        assertEquals(List.of("v/null", "null/boom", "cancelled"), seen);
    }

    @Test
    void whenCompleteFailsWithWhatItsActionThrows() throws Exception {
        Promise<Integer> source = Task.promise();
        UnsupportedOperationException thrown = new UnsupportedOperationException("action");
        Task<Integer> after = source.whenComplete((value, failure) -> {
            throw thrown;
        });
        source.complete(1);
        assertSame(thrown, failureOf(after));
    }

    @Test
    void exceptionallyRecoversFailuresAndCancellationsAndPassesResults() throws Exception {
        Promise<Integer> ok = Task.promise();
        Task<Integer> okAfter = ok.exceptionally(failure -> -1);
        ok.complete(5);
        assertEquals(5, okAfter.join(WAIT));

        Promise<Integer> failing = Task.promise();
        Task<Integer> recovered = failing.exceptionally(failure -> failure.getMessage().length());
        failing.fail(new RuntimeException("four"));
        assertEquals(4, recovered.join(WAIT));

        Promise<Integer> cancelled = Task.promise();
        Task<Integer> afterCancel = cancelled.exceptionally(failure -> failure instanceof CancellationException ? 0 : 1);
        cancelled.cancel();
        assertEquals(0, afterCancel.join(WAIT));
    }

    @Test
    void thenAcceptRunsOnTheResultAndCompletesEmpty() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        Promise<Integer> source = Task.promise();
        Task<Void> accepted = source.thenAccept(seen::add);
        source.complete(42);
        assertNull(accepted.join(WAIT));
        assertEquals(List.of(42), seen);
    }

    @Test
    void anInstanceTimeoutFailsWithTimeoutExceptionAndCancelsTheTask() throws Exception {
        try (Runtime paused = Runtime.builder().workers(1).pausedClock().build()) {
            Promise<String> never = Task.promise();
            Task<String> limited = paused.blockOn(() -> never.timeout(Duration.ofSeconds(30)));
            assertInstanceOf(TimeoutException.class, failureOf(limited)); // the paused clock jumps to the deadline
            assertTrue(never.isCancelled(), "the task that timed out is cancelled");
            Promise<String> quick = Task.promise();
            Task<String> inTime = paused.blockOn(() -> {
                Task<String> limitedToo = quick.timeout(Duration.ofSeconds(30));
                quick.complete("in time");
                return limitedToo;
            });
            assertEquals("in time", inTime.join(WAIT));
        }
    }

    @Test
    void cancellingTheCompletableFutureCancelsTheTask() throws Exception {
        Promise<String> source = Task.promise();
        Task<String> mapped = source.map(String::toUpperCase);
        CompletableFuture<String> future = mapped.toCompletableFuture();
        assertTrue(future.cancel(true));
        assertTrue(mapped.isCancelled(), "the future's cancel is the task's");
        assertTrue(source.isCancelled(), "and reaches what it waited for, as the task's cancel does");
        Promise<String> done = Task.promise();
        CompletableFuture<String> finished = done.toCompletableFuture();
        done.complete("x");
        assertEquals("x", finished.get(10, TimeUnit.SECONDS));
        assertTrue(!finished.cancel(true) && !done.isCancelled(), "a finished task stays finished");
    }
}
