package io.krill.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.Task;
import io.krill.time.MissedTickBehavior;
import io.krill.time.Time;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Public methods of the primitives that no other test reaches, each with its effect checked. */
class SyncSurfaceTest {

    @Test
    void aClosedSemaphoreSaysSoAndRefusesEveryone() {
        Semaphore semaphore = new Semaphore(1);
        assertFalse(semaphore.isClosed());
        assertTrue(semaphore.tryAcquire());
        Task<Void> waiting = semaphore.acquire();
        assertFalse(waiting.isDone());
        semaphore.close();
        assertTrue(semaphore.isClosed());
        CompletionException refused = assertThrows(CompletionException.class, waiting::join);
        assertInstanceOf(ClosedException.class, refused.getCause(), "the waiter is refused");
        assertFalse(semaphore.tryAcquire(), "and no later acquire succeeds");
        assertInstanceOf(ClosedException.class, assertThrows(CompletionException.class, () -> semaphore.acquire().join()).getCause());
    }

    @Test
    void aWriteGuardReadsWhatItWillReplaceAndReadersSeeTheReplacement() {
        RwLock<String> lock = new RwLock<>("before");
        RwLock.WriteGuard<String> writer = lock.tryWrite();
        assertNotNull(writer);
        assertEquals("before", writer.get());
        assertNull(lock.tryRead(), "no reader while a writer holds it");
        assertNull(lock.tryWrite(), "nor a second writer");
        writer.set("after");
        assertEquals("after", writer.get());
        writer.close();
        try (RwLock.ReadGuard<String> reader = lock.tryRead()) {
            assertEquals("after", reader.get());
            assertNull(lock.tryWrite(), "no writer while a reader holds it");
        }
        assertNotNull(lock.tryWrite(), "free again");
    }

    @Test
    void aGuardClosedIsRefusedAndTheSmallestPrimitivesWork() {
        RwLock<String> lock = new RwLock<>("v");
        RwLock.WriteGuard<String> writer = lock.tryWrite();
        writer.close();
        assertThrows(IllegalStateException.class, writer::get, "a closed write guard reads nothing");
        assertThrows(IllegalStateException.class, () -> writer.set("w"), "nor writes");
        assertEquals("v", lock.tryRead().get());

        Barrier alone = new Barrier(1); // one party: each arrival is the last
        assertTrue(alone.await().join(), "the one party is the leader");
        assertThrows(IllegalArgumentException.class, () -> new Barrier(0));

        Broadcast<String> one = new Broadcast<>(1);
        Broadcast.Receiver<String> receiver = one.subscribe();
        one.send("kept");
        assertEquals("kept", receiver.recv().join(), "a capacity of 1 holds one message");
        assertThrows(IllegalArgumentException.class, () -> new Broadcast<String>(0));
    }

    @Test
    void anIntervalKeepsTheMissedTickBehaviourItWasMadeWithAndBurstsByDefault() {
        try (Runtime runtime = Runtime.builder().workers(1).pausedClock().build()) {
            assertEquals(MissedTickBehavior.BURST, runtime.blockOn(() -> Time.interval(Duration.ofMillis(10)).missedTickBehavior()));
            for (MissedTickBehavior behavior : MissedTickBehavior.values()) {
                assertEquals(behavior, runtime.blockOn(() -> Time.interval(Duration.ofMillis(10), behavior).missedTickBehavior()));
            }
        }
    }
}
