package io.krill.sync;

import io.krill.Task;
import java.util.List;

/**
 * Lets {@code parties} tasks wait for each other (Tokio's {@code Barrier}); reusable: once all
 * have arrived, the next arrivals form a new generation. The last to arrive is the leader: its
 * task completes with true, the others' with false. A waiter cancelled before the barrier trips
 * no longer counts as arrived.
 *
 * <p>Cancel safety: a cancelled waiter un-arrives, so the barrier still needs {@code parties}
 * live arrivals; once it has tripped, a waiter given up on has still been counted in that
 * generation (there is nothing to give back).
 */
public final class Barrier {

    private final int parties;
    private final WaitQueue waiting = new WaitQueue(); // guarded by this
    private int arrived;                              // guarded by this

    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("a barrier needs at least 1 party, got " + parties);
        }
        this.parties = parties;
    }

    /** Arrives; completes when {@code parties} have arrived in this generation. */
    public Task<Boolean> await() {
        List<Waiter<?>> released;
        synchronized (this) {
            if (++arrived < parties) {
                Waiter<Boolean> waiter = new Waiter<>(this, 0) {
                    @Override
                    public boolean cancel() {
                        synchronized (Barrier.this) {
                            if (granted || !queued) {
                                return false;
                            }
                            WaitQueue.unlink(this);
                            arrived--; // it no longer counts as arrived
                        }
                        return completeCancelled();
                    }
                };
                waiting.add(waiter);
                return waiter;
            }
            arrived = 0;
            released = waiting.grantAll();
        }
        for (Waiter<?> waiter : released) {
            cast(waiter).grant(false);
        }
        return Task.completed(true);
    }

    @SuppressWarnings("unchecked")
    private static Waiter<Boolean> cast(Waiter<?> waiter) {
        return (Waiter<Boolean>) waiter;
    }
}
