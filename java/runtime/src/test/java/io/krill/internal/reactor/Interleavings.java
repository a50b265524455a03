package io.krill.internal.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A deterministic interleaving checker for the connection table (a small stateless model
 * checker, after CHESS and Tokio's loom): it runs a scenario's racing calls on real threads but
 * lets only one run at a time, switching only at the table's {@link Interleaving} points, and
 * walks the tree of those choices depth first until every order has been run once. After each
 * run the scenario checks its invariant; a violation fails with the order that broke it.
 *
 * <p>Only threads this checker starts are held at the points; any other thread passes them.
 * The calls that take the table's lock must all be on one thread of a scenario (a thread held
 * at a point inside the lock would block the others on the monitor, where no point is).
 */
final class Interleavings {

    /** One run: fresh state, the racing calls, the invariant over what they left. */
    interface Scenario {
        List<Runnable> threads();

        void check();
    }

    /** How many runs covered the tree, and their longest order. */
    record Explored(int runs, int longestOrder) {}

    private static final long STEP_TIMEOUT_SECONDS = 10;

    private final ThreadLocal<Racer> current = new ThreadLocal<>();
    private final Semaphore arrived = new Semaphore(0);

    private Interleavings() {}

    /**
     * Runs every interleaving of {@code scenarios}' threads (a fresh scenario per run).
     *
     * @throws AssertionError naming the order of the first run whose check failed, or when the
     *     tree has more than {@code maxRuns} orders
     */
    static Explored everyOrder(Supplier<Scenario> scenarios, int maxRuns) {
        Interleavings checker = new Interleavings();
        Interleaving.install(checker::point);
        try {
            return checker.explore(scenarios, maxRuns);
        } finally {
            Interleaving.install(null);
        }
    }

    private Explored explore(Supplier<Scenario> scenarios, int maxRuns) {
        List<Integer> prefix = new ArrayList<>();
        int runs = 0;
        int longest = 0;
        for (;;) {
            if (runs == maxRuns) {
                throw new AssertionError("more than " + maxRuns + " orders: shrink the scenario");
            }
            List<int[]> choices = new ArrayList<>(); // {chosen, options} per step
            List<String> order = new ArrayList<>();
            Scenario scenario = scenarios.get();
            run(scenario, prefix, choices, order);
            runs++;
            longest = Math.max(longest, order.size());
            try {
                scenario.check();
            } catch (AssertionError | RuntimeException violated) {
                throw new AssertionError("after run " + runs + ", in the order:\n  " + String.join("\n  ", order)
                        + "\n" + violated.getMessage(), violated);
            }
            int last = choices.size() - 1;
            while (last >= 0 && choices.get(last)[0] + 1 == choices.get(last)[1]) {
                last--;
            }
            if (last < 0) {
                return new Explored(runs, longest);
            }
            prefix = new ArrayList<>();
            for (int step = 0; step < last; step++) {
                prefix.add(choices.get(step)[0]);
            }
            prefix.add(choices.get(last)[0] + 1);
        }
    }

    private void run(Scenario scenario, List<Integer> prefix, List<int[]> choices, List<String> order) {
        List<Runnable> bodies = scenario.threads();
        List<Racer> racers = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            Racer racer = new Racer(i, bodies.get(i));
            racers.add(racer);
            racer.thread.start();
            awaitArrival(racer); // each waits at its start, so the first step is a choice too
        }
        for (int step = 0; ; step++) {
            List<Racer> enabled = new ArrayList<>();
            for (Racer racer : racers) {
                if (!racer.finished) {
                    enabled.add(racer);
                }
            }
            if (enabled.isEmpty()) {
                break;
            }
            int chosen = step < prefix.size() ? prefix.get(step) : 0;
            choices.add(new int[] {chosen, enabled.size()});
            Racer next = enabled.get(chosen);
            order.add("thread " + next.id + " past \"" + next.at + "\"");
            next.go.release();
            awaitArrival(next);
        }
        for (Racer racer : racers) {
            try {
                racer.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (racer.failure != null) {
                throw new AssertionError("thread " + racer.id + " failed", racer.failure);
            }
        }
    }

    private void awaitArrival(Racer racer) {
        try {
            if (!arrived.tryAcquire(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("thread " + racer.id + " neither reached a point nor ended within "
                        + STEP_TIMEOUT_SECONDS + " s after \"" + racer.at + "\" (blocked outside the points?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The hook at every point: a racer of ours stops here until it is chosen. */
    private void point(String where) {
        Racer racer = current.get();
        if (racer != null) {
            racer.pause(where);
        }
    }

    private final class Racer {
        final int id;
        final Thread thread;
        final Semaphore go = new Semaphore(0);
        volatile String at = "start";
        volatile boolean finished;
        volatile Throwable failure;

        Racer(int id, Runnable body) {
            this.id = id;
            this.thread = Thread.ofPlatform().daemon().name("racer-" + id).unstarted(() -> {
                current.set(this);
                try {
                    pause("start");
                    body.run();
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    current.remove();
                    finished = true;
                    arrived.release();
                }
            });
        }

        void pause(String where) {
            at = where;
            arrived.release();
            go.acquireUninterruptibly();
        }
    }
}
