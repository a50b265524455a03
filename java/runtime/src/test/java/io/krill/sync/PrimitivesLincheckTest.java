package io.krill.sync;

import io.krill.Task;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Lincheck for the primitives {@link SyncLincheckTest} does not cover: {@link Oneshot} (a
 * promise: the first of send, close and cancel decides, once), {@link Mutex} and {@link RwLock}
 * held and released by several threads (each holder keeps its guard in its own thread; their
 * waiting paths are the {@link Semaphore}'s, checked there), and the unbounded {@link Mpsc}
 * with a pending receive granted by sends and by the last sender's close (the bounded
 * channel's waiting operations and specification, with no bound).
 *
 * <p>{@link Watch} has none: a {@code changed()} woken by one send marks seen whatever version
 * is there when it runs, so a second send racing that wake-up is folded into the first change
 * (Tokio's receiver does the same); no deterministic sequential order says which, so the
 * watch is checked by the stress and unit tests instead.
 */
class PrimitivesLincheckTest {

    // ---- Oneshot -------------------------------------------------------------------------

    public static class OneshotOps {
        private final Oneshot.Channel<Integer> channel = Oneshot.channel();

        @Operation
        public boolean sendOne() {
            return channel.sender().send(1);
        }

        @Operation
        public boolean sendTwo() {
            return channel.sender().send(2);
        }

        @Operation
        public void closeSender() {
            channel.sender().close();
        }

        @Operation
        public boolean cancelReceiver() {
            return channel.receiver().cancel();
        }

        @Operation
        public boolean isReceiverClosed() {
            return channel.sender().isReceiverClosed();
        }

        @Operation
        public String outcome() {
            Task<Integer> receiver = channel.receiver();
            if (!receiver.isDone()) {
                return "pending";
            }
            if (receiver.isCancelled()) {
                return "cancelled";
            }
            Throwable failure = receiver.failureNow();
            return failure != null ? failure.getClass().getSimpleName() : String.valueOf(receiver.resultNow());
        }
    }

    public static class OneshotSpec {
        private String outcome = "pending";

        private boolean decide(String to) {
            if (!outcome.equals("pending")) {
                return false;
            }
            outcome = to;
            return true;
        }

        public boolean sendOne() {
            return decide("1");
        }

        public boolean sendTwo() {
            return decide("2");
        }

        public void closeSender() {
            decide("ClosedException");
        }

        public boolean cancelReceiver() {
            return decide("cancelled");
        }

        public boolean isReceiverClosed() {
            return outcome.equals("cancelled");
        }

        public String outcome() {
            return outcome;
        }
    }

    @Test
    void oneshot() {
        new ModelCheckingOptions().iterations(8).invocationsPerIteration(150).threads(3).actorsPerThread(2)
                .sequentialSpecification(OneshotSpec.class).check(OneshotOps.class);
    }

    // ---- unbounded Mpsc --------------------------------------------------------------------

    /** {@link SyncLincheckTest}'s waiting channel, unbounded: sends never queue. */
    public static class UnboundedChannelOps extends SyncLincheckTest.WaitingChannelOps {
        public UnboundedChannelOps() {
            super(Mpsc.unbounded());
        }
    }

    public static class UnboundedChannelSpec extends SyncLincheckTest.WaitingChannelSpec {
        public UnboundedChannelSpec() {
            super(Integer.MAX_VALUE);
        }
    }

    @Test
    void unboundedChannel() {
        new ModelCheckingOptions().iterations(8).invocationsPerIteration(150).threads(3).actorsPerThread(3)
                .sequentialSpecification(UnboundedChannelSpec.class).check(UnboundedChannelOps.class);
    }

    // ---- Mutex ---------------------------------------------------------------------------

    public static class MutexOps {
        private final Mutex<int[]> mutex = new Mutex<>(new int[1]);
        private Mutex.Guard<int[]> heldByA; // the "a" group's thread only
        private Mutex.Guard<int[]> heldByB;

        @Operation(nonParallelGroup = "a")
        public boolean lockA() {
            if (heldByA != null) {
                return false;
            }
            heldByA = mutex.tryLock();
            return heldByA != null;
        }

        @Operation(nonParallelGroup = "a")
        public boolean unlockA() {
            if (heldByA == null) {
                return false;
            }
            heldByA.get()[0]++;
            heldByA.close();
            heldByA = null;
            return true;
        }

        @Operation(nonParallelGroup = "b")
        public boolean lockB() {
            if (heldByB != null) {
                return false;
            }
            heldByB = mutex.tryLock();
            return heldByB != null;
        }

        @Operation(nonParallelGroup = "b")
        public boolean unlockB() {
            if (heldByB == null) {
                return false;
            }
            heldByB.get()[0]++;
            heldByB.close();
            heldByB = null;
            return true;
        }

        @Operation
        public boolean isLocked() {
            return mutex.isLocked();
        }
    }

    public static class MutexSpec {
        private char owner = '-';

        private boolean lock(char who) {
            if (owner == who) {
                return false;
            }
            if (owner != '-') {
                return false;
            }
            owner = who;
            return true;
        }

        private boolean unlock(char who) {
            if (owner != who) {
                return false;
            }
            owner = '-';
            return true;
        }

        public boolean lockA() {
            return lock('a');
        }

        public boolean unlockA() {
            return unlock('a');
        }

        public boolean lockB() {
            return lock('b');
        }

        public boolean unlockB() {
            return unlock('b');
        }

        public boolean isLocked() {
            return owner != '-';
        }
    }

    @Test
    void mutex() {
        new ModelCheckingOptions().iterations(8).invocationsPerIteration(150).threads(3).actorsPerThread(3)
                .sequentialSpecification(MutexSpec.class).check(MutexOps.class);
    }

    // ---- RwLock --------------------------------------------------------------------------

    public static class RwLockOps {
        private final RwLock<String> lock = new RwLock<>("v0");
        private RwLock.ReadGuard<String> readerA; // the "a" group's thread only
        private RwLock.ReadGuard<String> readerB;
        private RwLock.WriteGuard<String> writer; // the "w" group's thread only
        private int writes;                       // the "w" group's thread only

        @Operation(nonParallelGroup = "a")
        public String readA() {
            if (readerA == null) {
                readerA = lock.tryRead();
                return readerA == null ? "refused" : readerA.get();
            }
            readerA.close();
            readerA = null;
            return "released";
        }

        @Operation(nonParallelGroup = "b")
        public String readB() {
            if (readerB == null) {
                readerB = lock.tryRead();
                return readerB == null ? "refused" : readerB.get();
            }
            readerB.close();
            readerB = null;
            return "released";
        }

        /** Takes the write lock, or, holding it, writes the next version and releases it. */
        @Operation(nonParallelGroup = "w")
        public String write() {
            if (writer == null) {
                writer = lock.tryWrite();
                return writer == null ? "refused" : writer.get();
            }
            writer.set("v" + ++writes);
            writer.close();
            writer = null;
            return "released";
        }
    }

    public static class RwLockSpec {
        private boolean readerA;
        private boolean readerB;
        private boolean writer;
        private int writes;

        private String value() {
            return "v" + writes;
        }

        public String readA() {
            if (!readerA) {
                if (writer) {
                    return "refused";
                }
                readerA = true;
                return value();
            }
            readerA = false;
            return "released";
        }

        public String readB() {
            if (!readerB) {
                if (writer) {
                    return "refused";
                }
                readerB = true;
                return value();
            }
            readerB = false;
            return "released";
        }

        public String write() {
            if (!writer) {
                if (readerA || readerB) {
                    return "refused";
                }
                writer = true;
                return value();
            }
            writes++;
            writer = false;
            return "released";
        }
    }

    @Test
    void rwLock() {
        new ModelCheckingOptions().iterations(8).invocationsPerIteration(150).threads(3).actorsPerThread(3)
                .sequentialSpecification(RwLockSpec.class).check(RwLockOps.class);
    }
}
