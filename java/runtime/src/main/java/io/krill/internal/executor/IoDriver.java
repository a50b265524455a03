package io.krill.internal.executor;

/**
 * What the executor needs of the runtime's I/O driver, owned by the executor so that it never
 * names the reactor (the reactor's {@code ConnectionTable} implements it). Workers ask it, while
 * busy, whether polling for I/O is worth a crossing.
 */
public interface IoDriver {

    /** A runtime without native I/O: nothing is ever registered. */
    IoDriver NONE = () -> false;

    /** True when something is registered: workers then poll for I/O even while busy. */
    boolean hasRegistrations();
}
