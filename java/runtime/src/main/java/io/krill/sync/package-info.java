/**
 * Async synchronisation: every waiting operation returns a {@link io.krill.Task} and never
 * blocks a worker. Waiters queue in FIFO order as task objects linked into the primitive;
 * granting one completes its task, which schedules whoever awaits it (on the granting worker's
 * LIFO slot when that worker runs it). A waiter cancelled before it was granted leaves the queue
 * and never takes a permit or a message meant for another.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Each primitive guards its state and waiter queue with its own monitor; critical sections
 * are a few field updates. The {@link io.krill.sync.Semaphore} (under {@code Mutex} and
 * {@code RwLock}) also keeps its permits in an atomic word, so that an uncontended acquire or
 * release is one CAS and takes no lock (see its notes). A waiter is granted (unlinked and
 * marked) under the lock and completed after it, so waking code never runs under the lock.
 * Cancellation takes the same lock: a queued waiter just leaves; a granted one either refuses
 * the cancellation (a message is the waiter's once handed over) or, for permits, wins it if the
 * task has not completed yet, and the granter then gives the permits back. Either way nothing
 * leaks.
 */
package io.krill.sync;
