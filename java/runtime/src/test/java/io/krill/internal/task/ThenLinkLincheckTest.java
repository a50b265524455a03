package io.krill.internal.task;

import static io.krill.LincheckScenarios.NONE;
import static io.krill.LincheckScenarios.scenario;

import io.krill.Task;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model check of then-linking (#15, {@link ContinuationTask}'s class notes): a root
 * {@code q.then(v -> p.then(t -> completed(t)))} links the inner {@code then} while, on other
 * threads, its source is granted a value that holds something and the root or the inner task
 * is cancelled. Off a worker every step runs on the thread that wakes it, so the interleavings
 * searched are those of the link's CASes against the step's and the cancels'.
 *
 * <p>After each run, {@link LinkOps#check} holds the rules, or names the one broken:
 * <ul>
 *   <li>the granted value is delivered to the root or given back (closed), exactly once;</li>
 *   <li>the root and the inner task end, the root with the inner's value or cancelled;</li>
 *   <li>the scheduler's books balance: every task made has left them (no live count lost or
 *       counted twice by a retired link), and none is still reported as waiting.</li>
 * </ul>
 */
class ThenLinkLincheckTest {

    /** A value that holds something: given back means closed. */
    static final class Token implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** Runs each woken task at once on the waking thread (as off a worker), keeping the books. */
    static final class Books implements TaskScheduler {
        final AtomicLong live = new AtomicLong();
        final Set<ScheduledTask<?>> waiting = ConcurrentHashMap.newKeySet();

        @Override
        public void schedule(ScheduledTask<?> task, boolean yielded) {
            task.run();
        }

        @Override
        public void taskCreated() {
            live.incrementAndGet();
        }

        @Override
        public void taskFinished(ScheduledTask<?> task, Throwable failureOrNull) {
            live.decrementAndGet();
            if (task.wasWaiting()) {
                waiting.remove(task);
            }
        }

        @Override
        public void taskWaiting(ScheduledTask<?> task) {
            waiting.add(task);
            if (task.isDone() || task.isRetired()) {
                waiting.remove(task);
            }
        }
    }

    /** A source completed by hand, on the books (a ScheduledTask, so continuations made on it are too). */
    static final class Source<T> extends ScheduledTask<T> {
        Source(TaskScheduler scheduler) {
            super(scheduler);
        }

        @Override
        protected void step() {}

        boolean complete(T value) {
            return completeValue(value);
        }
    }

    public static class LinkOps {
        private final Books books = new Books();
        private final Source<Integer> q = new Source<>(books);
        private final Source<Token> p = new Source<>(books);
        private final Token token = new Token();
        private volatile boolean granted;
        private volatile Task<Token> inner;
        private final Task<Token> root = q.then(v -> {
            Task<Token> made = p.then(t -> Task.completed(t));
            inner = made;
            return made;
        });

        /** The root's source finishes: its function runs and links (or awaits) the inner then. */
        @Operation
        public void start() {
            q.complete(0);
        }

        /** The inner then's source is granted the token. */
        @Operation
        public void grant() {
            granted = p.complete(token);
        }

        @Operation
        public void cancelRoot() {
            root.cancel();
        }

        @Operation
        public void cancelInner() {
            Task<Token> made = inner;
            if (made != null) {
                made.cancel();
            }
        }

        /** The rules of the class notes: "ok", or the first one broken. */
        @Operation
        public String check() {
            Task<Token> made = inner;
            if (!root.isDone()) {
                return "the root did not end";
            }
            if (made != null && !made.isDone()) {
                return "the inner task did not end";
            }
            int closes = token.closes.get();
            boolean delivered = !root.isCancelled() && root.failureNow() == null && root.resultNow() == token;
            if (closes > 1) {
                return "the token was closed " + closes + " times";
            }
            if (delivered && closes != 0) {
                return "the token was delivered and closed";
            }
            if (granted && made != null && !delivered && closes != 1) {
                return "the granted token was neither delivered nor given back";
            }
            if (!root.isCancelled() && made != null && made.isDone() && !made.isCancelled() && made.resultNow() != root.resultNow()) {
                return "the root ended with another value than the inner task's";
            }
            if (books.live.get() != 0) {
                return "the books do not balance: " + books.live.get() + " tasks live";
            }
            if (!books.waiting.isEmpty()) {
                return books.waiting.size() + " tasks still reported waiting";
            }
            return "ok";
        }
    }

    /** What every run must end in: each operation returns nothing, and check says ok. */
    public static class LinkSpec {
        public void start() {}

        public void grant() {}

        public void cancelRoot() {}

        public void cancelInner() {}

        public String check() {
            return "ok";
        }
    }

    @Test
    void linkingRacesTheGrantAndTheCancels() {
        Class<?> ops = LinkOps.class;
        String[] post = {"check"};
        new ModelCheckingOptions().iterations(0).invocationsPerIteration(2_000)
                .addCustomScenario(scenario(ops, NONE, new String[][] {{"start"}, {"grant"}, {"cancelRoot"}}, post))
                .addCustomScenario(scenario(ops, NONE, new String[][] {{"start"}, {"grant"}, {"cancelInner"}}, post))
                .addCustomScenario(scenario(ops, NONE, new String[][] {{"start", "cancelInner"}, {"grant"}, {"cancelRoot"}}, post))
                .addCustomScenario(scenario(ops, new String[] {"start"}, new String[][] {{"grant"}, {"cancelRoot"}, {"cancelInner"}}, post))
                .sequentialSpecification(LinkSpec.class).check(ops);
    }
}
