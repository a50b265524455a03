/**
 * Timers: a hierarchical timing wheel per worker, after Tokio's {@code time/wheel}.
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Wheel.</b> 6 levels of 64 slots; a level-{@code L} slot spans {@code 64^L} ticks of
 * 1 ms, so the wheel covers {@code 2^36} ms (about 795 days); farther deadlines wait in the top
 * level and are re-inserted when their slot comes round. An entry goes to the lowest level
 * where its deadline and the wheel's elapsed time share the higher bits, in slot
 * {@code (deadline >> 6L) & 63}. Each level keeps a 64-bit occupied bitmap, so the next
 * expiration is a rotate and a {@code numberOfTrailingZeros} per level. When a slot expires,
 * its entries either fire or move down a level (cascade). Insert and remove are O(1): entries
 * are intrusive doubly linked lists.
 *
 * <p><b>Ownership.</b> A {@link io.krill.internal.time.TimerQueue} and its wheel belong to one
 * worker thread, the only one that links and unlinks entries. Insertion is deferred to the end
 * of the current task step, so a timer cancelled within the step that created it (a timeout
 * whose task finished at once) never touches the wheel. Another thread cancels by CAS on the
 * entry's state and pushes it onto the owner's cancel stack (lock-free); the owner unlinks it
 * the next time it processes timers. The state CAS (PENDING, IN_WHEEL → FIRED or CANCELLED)
 * decides between firing and cancelling, so an entry fires at most once and never after a
 * successful cancel.
 *
 * <p><b>Rounding.</b> Deadlines round up to the next tick: a timer never fires early.
 */
package io.krill.internal.time;
