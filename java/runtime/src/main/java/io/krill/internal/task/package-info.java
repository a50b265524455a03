/**
 * Tasks: the future half (result, waiters, combinators) and the scheduled half (state word).
 *
 * <h2>Implementation notes</h2>
 *
 * <p><b>Result.</b> {@link io.krill.internal.task.AbstractTask} holds one volatile
 * {@code result}: {@code null} while pending, then the value (a {@code NIL} sentinel for
 * {@code null}, {@code SELF} for the task itself) or a {@code Failure}. It is set once by CAS; the CAS is the linearisation
 * point of completion and publishes the value (release), read by {@code getAcquire} in
 * {@code isDone}/{@code resultNow}.
 *
 * <p><b>Waiters.</b> The volatile {@code waiters} word is {@code null}, one {@link
 * io.krill.internal.task.Waker} (the common case: no allocation), a chain of {@code WaitNode}s,
 * or the {@code FIRED} tombstone. Completion swaps in {@code FIRED} ({@code getAndSet}) after
 * setting the result and wakes what it took; a waiter added by CAS before the swap is woken
 * by it, and one arriving after sees {@code FIRED} and reads the result itself. So no wake-up is
 * lost, and none is delivered twice by the same completion.
 *
 * <p><b>Scheduled tasks.</b> {@link io.krill.internal.task.ScheduledTask} adds a state word
 * (see its table): a wake is one CAS plus a push; a task woken while RUNNING is marked NOTIFIED
 * and re-queued by the worker when its step returns, so it is never lost and never runs on two
 * workers at once.
 *
 * <p><b>Spans.</b> A scheduled task (but a service task) takes the thread's current
 * {@link io.krill.internal.task.TaskSpan} when it is made and makes it current, with its MDC
 * entries, around each of its steps, restoring the previous one after; until the first span
 * exists that costs one static read per step (see {@code TaskSpan}'s notes).
 */
package io.krill.internal.task;
