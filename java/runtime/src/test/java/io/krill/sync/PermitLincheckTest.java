package io.krill.sync;

import io.krill.Task;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: the permits of a bounded {@link Mpsc} channel of capacity 1. One thread reserves a
 * permit (at once, or queued for room), sends through it or closes it (a queued reserve is
 * cancelled, or, granted first, its permit closed); others send without waiting and receive.
 * What must hold: a permit holds the one slot (no trySend gets in while it is out, none barges
 * past a queued reserve), the slot comes back exactly once when the permit is used or closed,
 * and room made by a receive goes to the queued reserve.
 */
class PermitLincheckTest {

    public static class Ops {
        private final Mpsc.Channel<Integer> channel = Mpsc.bounded(1);
        private Mpsc.Permit<Integer> held;     // the "p" group's thread only
        private Task<Mpsc.Permit<Integer>> pending;

        /** The permit, if held or granted to the pending reserve (which it then stops being). */
        private Mpsc.Permit<Integer> permitNow() {
            if (held == null && pending != null && SyncLincheckTest.grantedOrNull(pending) != null) {
                held = pending.resultNow();
                pending = null;
            }
            return held;
        }

        @Operation(nonParallelGroup = "p")
        public String reserve() {
            if (held != null || pending != null) {
                return "busy";
            }
            Task<Mpsc.Permit<Integer>> task = channel.sender().reserve();
            if (task instanceof Waiter<?>) {
                pending = task;
                return "queued";
            }
            held = task.resultNow();
            return "reserved";
        }

        @Operation(nonParallelGroup = "p")
        public String sendThroughPermit() {
            Mpsc.Permit<Integer> permit = permitNow();
            if (permit == null) {
                return pending != null ? "waiting" : "none";
            }
            held = null;
            permit.send(1);
            return "sent";
        }

        @Operation(nonParallelGroup = "p")
        public String closePermit() {
            Mpsc.Permit<Integer> permit = permitNow();
            if (permit != null) {
                held = null;
                permit.close();
                return "closed";
            }
            if (pending == null) {
                return "none";
            }
            Task<Mpsc.Permit<Integer>> task = pending;
            pending = null;
            if (task.cancel()) {
                return "cancelled";
            }
            while (!task.isDone()) {
                Thread.onSpinWait(); // granted: the permit is made right after the granter's lock
            }
            task.resultNow().close();
            return "closed";
        }

        @Operation
        public boolean trySend() {
            return channel.sender().trySend(2);
        }

        @Operation(nonParallelGroup = "r")
        public Integer tryRecv() {
            return channel.receiver().tryRecv();
        }
    }

    public static class Spec {
        private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
        private boolean held;
        private boolean pending;
        private boolean granted;

        private boolean room() {
            return buffer.size() + (held || granted ? 1 : 0) < 1;
        }

        private boolean takeGranted() {
            if (!held && pending && granted) {
                held = true;
                pending = false;
                granted = false;
            }
            return held;
        }

        public String reserve() {
            if (held || pending) {
                return "busy";
            }
            if (room()) {
                held = true;
                return "reserved";
            }
            pending = true;
            return "queued";
        }

        public String sendThroughPermit() {
            if (!takeGranted()) {
                return pending ? "waiting" : "none";
            }
            held = false;
            buffer.add(1);
            return "sent";
        }

        public String closePermit() {
            if (takeGranted()) {
                held = false; // the slot is free again; only this thread reserves, so nobody waits for it
                return "closed";
            }
            if (!pending) {
                return "none";
            }
            pending = false;
            return "cancelled";
        }

        public boolean trySend() {
            if (pending || !room()) {
                return false; // full, or a reserve waits first: no barging
            }
            buffer.add(2);
            return true;
        }

        public Integer tryRecv() {
            Integer message = buffer.poll();
            if (message != null && pending && !granted && room()) {
                granted = true; // the room goes to the queued reserve
            }
            return message;
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(8).invocationsPerIteration(150).threads(3).actorsPerThread(3)
                .sequentialSpecification(Spec.class).check(Ops.class);
    }
}
