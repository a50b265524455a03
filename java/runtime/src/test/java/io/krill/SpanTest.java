package io.krill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * A span goes with its task: to the children and continuations it makes, to every worker that
 * runs it (a thief included), into the MDC for each step and out of it after.
 */
class SpanTest {

    /** Generous for a loaded 2-core machine. */
    private static final long WAIT_SECONDS = 30;

    /** What a step saw: its thread, its span, and the MDC's span entries. */
    private record Seen(String thread, Optional<Span> span, String mdcName, String mdcId) {
        static Seen now() {
            return new Seen(Thread.currentThread().getName(), Span.current(), MDC.get(Span.MDC_NAME_KEY), MDC.get("id"));
        }

        void carries(Span expected) {
            assertEquals(Optional.of(expected), span, "span seen on " + thread);
            assertEquals(expected.name(), mdcName, "MDC span on " + thread);
            assertEquals(expected.fields().get("id"), mdcId, "MDC id on " + thread);
        }

        void carriesNone() {
            assertEquals(Optional.empty(), span, "span seen on " + thread);
            assertNull(mdcName, "MDC span on " + thread);
            assertNull(mdcId, "MDC id on " + thread);
        }
    }

    private final Runtime runtime = Runtime.builder().workers(2).build();

    @AfterEach
    void tearDown() {
        assertTrue(runtime.shutdown(Duration.ofSeconds(5)));
        MDC.clear();
    }

    @Test
    void aSpanHasANameAndFieldsInOrder() {
        Span span = Span.of("process", "id", "7", "user", "ferris");
        assertEquals("process", span.name());
        assertEquals(List.of("id", "user"), List.copyOf(span.fields().keySet()));
        assertEquals("process{id=7, user=ferris}", span.toString());
        assertEquals("process", Span.of("process").toString());
        assertThrows(IllegalArgumentException.class, () -> Span.of("odd", "id"));
        assertThrows(IllegalArgumentException.class, () -> Span.of(""));
        assertThrows(IllegalArgumentException.class, () -> Span.of("clash", Map.of(Span.MDC_NAME_KEY, "x")));
        assertThrows(UnsupportedOperationException.class, () -> span.fields().put("more", "no"));
    }

    @Test
    void aTaskSpawnedInScopeCarriesTheSpanAndOneSpawnedOutsideDoesNot() {
        Span span = Span.of("process", "id", "1");
        JoinHandle<Seen> inside = span.inScope(() -> runtime.spawn(Seen::now));
        JoinHandle<Seen> outside = runtime.spawn(Seen::now);
        inside.join().carries(span);
        outside.join().carriesNone();
        assertEquals(Optional.empty(), Span.current(), "the scope ended");
    }

    @Test
    void theScopeGivesTheCallersMdcBackAsItWas() {
        MDC.put("request", "r-9");
        MDC.put("id", "mine");
        Span span = Span.of("process", "id", "1");
        List<String> during = span.inScope(() -> {
            Seen.now().carries(span); // the span's id hides the caller's
            return List.of(MDC.get("request"));
        });
        assertEquals(List.of("r-9"), during, "an entry of the caller's own stays during the scope");
        assertEquals("mine", MDC.get("id"), "the entry the span hid is back after it");
        assertEquals("r-9", MDC.get("request"));
        assertNull(MDC.get(Span.MDC_NAME_KEY));
        assertEquals(Optional.empty(), Span.current());
    }

    @Test
    void childrenContinuationsAndBlockingWorkInheritTheSpanOfTheTaskThatMadeThem() {
        Span span = Span.of("parent", "id", "2");
        List<Seen> seen = span.inScope(() -> runtime.spawn(() -> {
            Task<Seen> child = Runtime.current().spawn(Seen::now);
            Task<Seen> grandchild = Runtime.current().spawn(() -> Runtime.current().spawn(Seen::now)).then(t -> t);
            Task<Seen> continuation = Time.sleep(Duration.ofMillis(1)).map(slept -> Seen.now());
            Task<Seen> blocking = Runtime.current().spawnBlocking(Seen::now);
            return Task.all(List.of(child, grandchild, continuation, blocking));
        })).then(all -> all).join();
        assertEquals(4, seen.size());
        for (Seen s : seen) {
            s.carries(span);
        }
        assertTrue(seen.get(3).thread().startsWith("krill-worker-blocking-"), seen.get(3).thread());
    }

    /**
     * One worker runs a traced coroutine and plain tasks made outside the scope in turn: each
     * step awaits a promise that the next plain task completes, so they alternate on one thread.
     */
    @Test
    void eachStepOfACoroutineRunsInTheSpanAndTheNextTaskOnTheWorkerSeesNone() {
        try (Runtime one = Runtime.builder().workers(1).build()) {
            Span span = Span.of("steps", "id", "3");
            int rounds = 5;
            List<Promise<Void>> turns = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                turns.add(Task.promise());
            }
            List<Seen> steps = new ArrayList<>(); // one worker: only its thread touches the lists
            List<Seen> plain = new ArrayList<>();
            Task<Void> traced = span.inScope(() -> one.spawn(new Coroutine<Void>() {
                int turn;

                @Override
                public void resume(Step<Void> step) {
                    for (;;) {
                        steps.add(Seen.now());
                        if (turn == rounds) {
                            step.complete(null);
                            return;
                        }
                        if (!step.await(turns.get(turn++))) {
                            return;
                        }
                    }
                }
            }));
            List<JoinHandle<Void>> plainTasks = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                Promise<Void> turn = turns.get(i);
                plainTasks.add(one.spawn(() -> {
                    plain.add(Seen.now());
                    turn.complete(null);
                    return null;
                }));
            }
            one.blockOn(traced);
            plainTasks.forEach(Task::join);
            assertTrue(steps.size() > 1, steps.toString());
            steps.forEach(s -> s.carries(span));
            assertEquals(rounds, plain.size());
            plain.forEach(Seen::carriesNone);
        }
    }

    /**
     * A timer fires on the worker between task steps, and a CompletableFuture stage attached to
     * it runs right there: the span of the step that ran last on that worker is gone by then.
     */
    @Test
    void betweenStepsTheWorkerCarriesNoSpan() throws Exception {
        try (Runtime one = Runtime.builder().workers(1).build()) {
            Span span = Span.of("before-timer", "id", "5");
            java.util.concurrent.CompletableFuture<Seen> fired = span.inScope(() -> one.spawn(() -> Time.sleep(Duration.ofMillis(20))
                    .toCompletableFuture().thenApply(slept -> Seen.now()))).join();
            Seen seen = fired.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(seen.thread().startsWith("krill-worker-"), "the timer fired on the worker: " + seen.thread());
            seen.carriesNone();
        }
    }

    @Test
    void aFailureReportedToTheUncaughtHookIsReportedUnderTheTasksSpan() throws Exception {
        java.util.concurrent.BlockingQueue<String> reported = new java.util.concurrent.LinkedBlockingQueue<>();
        try (Runtime own = Runtime.builder().workers(1)
                .uncaughtExceptionHandler(failure -> reported.add(failure.getMessage() + " in " + MDC.get(Span.MDC_NAME_KEY)))
                .build()) {
            Span span = Span.of("failing");
            span.inScope(() -> own.spawn(() -> {
                throw new IllegalStateException("boom");
            }));
            assertEquals("boom in failing", reported.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    /**
     * A server's connection drivers are made by the task that binds it, but serve every
     * connection: they are service tasks and carry no span, so a handler logs under none.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void aServersConnectionDriversCarryNoSpanOfTheTaskThatBoundIt() throws Exception {
        java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.InetAddress loopback = java.net.InetAddress.getLoopbackAddress();
        Span span = Span.of("binder");
        io.krill.net.TcpServer server = span.inScope(() -> runtime.blockOn(() -> io.krill.net.TcpServer.bind(
                new java.net.InetSocketAddress(loopback, 0),
                (connection, data) -> seen.add(MDC.get(Span.MDC_NAME_KEY) + " " + Span.current()))));
        try (server; java.net.Socket client = new java.net.Socket(loopback, server.localAddress().getPort())) {
            client.getOutputStream().write(1);
            assertEquals("null Optional.empty", seen.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    /**
     * The parent holds its worker until one of its children has run elsewhere: the children sit
     * in the parent's worker's queue, so the other worker got that one by stealing it.
     */
    @Test
    void aStolenTaskRunsInItsSpanOnTheThief() throws Exception {
        Span span = Span.of("stolen", "id", "4");
        int children = 8;
        CountDownLatch ranElsewhere = new CountDownLatch(1);
        long stealsBefore = runtime.metrics().steals();
        record Parent(String thread, List<JoinHandle<Seen>> children) {}
        Parent parent = span.inScope(() -> runtime.spawn(() -> {
            String home = Thread.currentThread().getName();
            List<JoinHandle<Seen>> spawned = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                spawned.add(Runtime.current().spawn(() -> {
                    Seen seen = Seen.now();
                    if (!seen.thread().equals(home)) {
                        ranElsewhere.countDown();
                    }
                    return seen;
                }));
            }
            // Blocks this worker on purpose: its queue can only be served by the other worker.
            assertTrue(ranElsewhere.await(WAIT_SECONDS, TimeUnit.SECONDS), "no child was stolen");
            return new Parent(home, spawned);
        })).join();
        int stolen = 0;
        for (JoinHandle<Seen> child : parent.children()) {
            Seen seen = child.join();
            seen.carries(span);
            if (!seen.thread().equals(parent.thread())) {
                stolen++;
            }
        }
        assertTrue(stolen > 0);
        assertNotEquals(stealsBefore, runtime.metrics().steals(), "the other worker stole: " + runtime.metrics());
    }
}
