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
 * are a few field updates. A waiter is granted (unlinked and marked) under the lock and
 * completed after it, so waking code never runs under the lock; cancellation takes the same
 * lock and refuses once the waiter is granted, which is what keeps permits from leaking.
 */
package io.krill.sync;
