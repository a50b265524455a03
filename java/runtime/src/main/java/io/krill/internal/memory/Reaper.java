package io.krill.internal.memory;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Gives back what an object held when it is dropped without being closed: one daemon thread for
 * the JVM ({@code krill-reaper}, started with the first {@link Watched}), which runs
 * {@link Watched#dropped} for each watched object the collector found unreachable.
 *
 * <p>Lighter than a {@link java.lang.ref.Cleaner} for objects made on a hot path: the owner
 * keeps its watches itself (in a structure it already guards, such as a channel's list under
 * its lock) and unlinks one when the object is closed, so a closed object's reference is garbage
 * with it, never enqueued, and costs the collector nothing. Only a reference still held by its
 * owner when its object dies is enqueued and reaped.
 */
public final class Reaper {

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();

    static {
        Thread thread = new Thread(Reaper::run, "krill-reaper");
        thread.setDaemon(true);
        thread.start();
    }

    private Reaper() {}

    /** A watch on one object; keep it reachable (its owner's list) for as long as it should act. */
    public abstract static class Watched<T> extends PhantomReference<T> {
        protected Watched(T watched) {
            super(watched, QUEUE);
        }

        /** The watched object was collected while this watch was still held: give back what it held. On the reaper's thread. */
        protected abstract void dropped();
    }

    private static void run() {
        for (;;) {
            try {
                ((Watched<?>) QUEUE.remove()).dropped();
            } catch (InterruptedException ignored) {
                // nothing interrupts this thread on purpose: go on
            } catch (RuntimeException failure) { // a give-back failed: report it, keep reaping
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, failure);
            }
        }
    }
}
