package io.krill.internal.reactor;

import java.util.function.Consumer;

/**
 * The points in the connection table's lock-free code between which another thread may act:
 * before each read of a slot's state word, each CAS of it and each waiter store. A model
 * checker (the tests' {@code Interleavings}) installs a scheduler here that runs one thread at a
 * time and switches threads only at these points, so it can walk every order of a few racing
 * calls instead of hoping a stress test hits the bad one.
 *
 * <p>Off unless the JVM starts with {@code -Dkrill.interleaving=true} (the test JVMs do): then
 * {@link #ON} is a constant false, and the JIT drops every {@link #point} call.
 */
final class Interleaving {

    static final boolean ON = Boolean.getBoolean("krill.interleaving");

    private static volatile Consumer<String> scheduler;

    private Interleaving() {}

    /** The calling thread reached {@code where}; a scheduler may hold it here. */
    static void point(String where) {
        if (ON) {
            Consumer<String> current = scheduler;
            if (current != null) {
                current.accept(where);
            }
        }
    }

    /** Installs the scheduler that {@link #point} calls, or removes it ({@code null}). */
    static void install(Consumer<String> newScheduler) {
        if (!ON && newScheduler != null) {
            throw new IllegalStateException("start the JVM with -Dkrill.interleaving=true to model-check the table");
        }
        scheduler = newScheduler;
    }
}
