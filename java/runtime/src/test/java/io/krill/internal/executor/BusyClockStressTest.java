package io.krill.internal.executor;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readers racing an owner that parks and wakes as fast as it can: the busy time a reader sees
 * never goes backwards (a Prometheus counter that did would read as a restart). Without the
 * readers' high-water mark it does: a reader held up between its clock and its load of the word
 * finds a wake-up stored after its clock, and answers less than the last pause recorded.
 */
class BusyClockStressTest {

    @Test
    void busyTimeNeverGoesBackwardsWhileTheOwnerParksAndWakes() throws InterruptedException {
        BusyClock clock = new BusyClock();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> backwards = new AtomicReference<>();
        Thread owner = new Thread(() -> {
            clock.resume(System.nanoTime());
            while (!stop.get()) {
                clock.pause(System.nanoTime());
                Thread.onSpinWait();
                clock.resume(System.nanoTime());
            }
            clock.pause(System.nanoTime());
        });
        Thread[] readers = new Thread[2];
        for (int r = 0; r < readers.length; r++) {
            readers[r] = new Thread(() -> {
                long last = 0;
                for (int i = 0; i < 2_000_000 && backwards.get() == null; i++) {
                    long now = clock.busyNanos();
                    if (now < last) {
                        backwards.set(last + " then " + now);
                    }
                    last = now;
                }
            });
        }
        owner.start();
        for (Thread reader : readers) {
            reader.start();
        }
        for (Thread reader : readers) {
            reader.join();
        }
        stop.set(true);
        owner.join();
        assertNull(backwards.get(), "a reader saw the busy time go backwards");
    }
}
