package io.krill.sync;

import io.krill.Task;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: {@link Notify} against its sequential specification. Two waiters, each in a thread
 * of its own, wait, take a notification and cancel; a third thread notifies one or all. What
 * must hold: notifyOne wakes the oldest waiter or stores one permit (never two), notifyWaiters
 * wakes everyone waiting and stores nothing, and a cancel that loses to a notifyOne delivers it
 * (the waiter took it: "notified"), so no notification is lost or made up.
 */
class NotifyLincheckTest {

    public static class Ops {
        private final Notify notify = new Notify();
        private Task<Void> a; // the "a" group's thread only
        private Task<Void> b; // the "b" group's thread only

        /** "notified" (now, or the pending wait was notified), else "waiting". */
        private String await(Task<Void> pending, boolean isA) {
            if (pending != null) {
                if (SyncLincheckTest.grantedOrNull(pending) == null) {
                    return "waiting";
                }
                set(isA, null);
                return "notified";
            }
            Task<Void> task = notify.notified();
            if (task instanceof Waiter<?>) {
                set(isA, task);
                return "waiting";
            }
            return "notified"; // the stored permit
        }

        private String cancel(Task<Void> pending, boolean isA) {
            if (pending == null) {
                return "none";
            }
            set(isA, null);
            if (pending.cancel()) {
                return "cancelled";
            }
            while (!pending.isDone()) {
                Thread.onSpinWait(); // notified: completed right after the notifier's lock
            }
            return "notified";
        }

        private void set(boolean isA, Task<Void> task) {
            if (isA) {
                a = task;
            } else {
                b = task;
            }
        }

        @Operation(nonParallelGroup = "a")
        public String awaitA() {
            return await(a, true);
        }

        @Operation(nonParallelGroup = "a")
        public String cancelA() {
            return cancel(a, true);
        }

        @Operation(nonParallelGroup = "b")
        public String awaitB() {
            return await(b, false);
        }

        @Operation(nonParallelGroup = "b")
        public String cancelB() {
            return cancel(b, false);
        }

        @Operation
        public void notifyOne() {
            notify.notifyOne();
        }

        @Operation
        public void notifyWaiters() {
            notify.notifyWaiters();
        }
    }

    public static class Spec {
        private boolean permit;
        private final ArrayDeque<Character> queue = new ArrayDeque<>(); // waiting, not yet notified, oldest first
        private boolean pendingA;
        private boolean pendingB;
        private boolean notifiedA;
        private boolean notifiedB;

        private String await(char who) {
            boolean pending = who == 'a' ? pendingA : pendingB;
            if (pending) {
                boolean notified = who == 'a' ? notifiedA : notifiedB;
                if (!notified) {
                    return "waiting";
                }
                end(who);
                return "notified";
            }
            if (permit) {
                permit = false;
                return "notified";
            }
            if (who == 'a') {
                pendingA = true;
            } else {
                pendingB = true;
            }
            queue.add(who);
            return "waiting";
        }

        private void end(char who) {
            if (who == 'a') {
                pendingA = false;
                notifiedA = false;
            } else {
                pendingB = false;
                notifiedB = false;
            }
        }

        private String cancel(char who) {
            boolean pending = who == 'a' ? pendingA : pendingB;
            if (!pending) {
                return "none";
            }
            boolean notified = who == 'a' ? notifiedA : notifiedB;
            end(who);
            if (notified) {
                return "notified";
            }
            queue.remove(who);
            return "cancelled";
        }

        private void wake(char who) {
            if (who == 'a') {
                notifiedA = true;
            } else {
                notifiedB = true;
            }
        }

        public String awaitA() {
            return await('a');
        }

        public String cancelA() {
            return cancel('a');
        }

        public String awaitB() {
            return await('b');
        }

        public String cancelB() {
            return cancel('b');
        }

        public void notifyOne() {
            Character oldest = queue.poll();
            if (oldest == null) {
                permit = true;
            } else {
                wake(oldest);
            }
        }

        public void notifyWaiters() {
            for (char who : queue) {
                wake(who);
            }
            queue.clear();
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(8).invocationsPerIteration(150).threads(3).actorsPerThread(3)
                .sequentialSpecification(Spec.class).check(Ops.class);
    }
}
