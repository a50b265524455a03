/**
 * Off-heap rings between the native shims and the workers.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>{@link io.krill.internal.ring.SpscRing}: one producer (C, or Java), one consumer (a
 * worker), records of 16 bytes ({@code struct krill_event}). The producer writes records, then
 * stores {@code tail} with release; the consumer loads {@code tail} with acquire, reads, then
 * stores {@code head} with release, which the producer loads with acquire before reusing slots.
 * Java uses {@code VarHandle} getAcquire/setRelease on the same 64-bit words that C reaches with
 * {@code __atomic_load_n/__atomic_store_n}; {@code krill.h} and {@link
 * io.krill.internal.ring.RingDescriptor} agree on the layout, checked at load.
 *
 * <p>{@link io.krill.internal.ring.MpscRing}: any number of Java producers, one consumer;
 * Vyukov's bounded queue: each record carries a sequence word. A producer claims a position by
 * CAS on {@code tail}, writes the payload, then publishes it by storing the sequence with
 * release; the consumer reads a record only when its sequence says it is published (acquire),
 * and frees it by storing {@code position + capacity} (release). Lock-free; a full ring refuses
 * the offer instead of waiting.
 *
 * <p>In both, {@code head} and {@code tail} are 128 bytes apart, and positions only grow (64
 * bits do not wrap in practice): a record lives at {@code position & (capacity - 1)}.
 */
package io.krill.internal.ring;
