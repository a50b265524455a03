/*
 * krill_ring.c ↔ RingNative.java, SpscRing.java: the native side of the off-heap event rings.
 *
 * A ring has one producer and one consumer, which may be C or Java: both sides follow the
 * layout and orderings in krill.h (RING_*). C writes event records here; the poll shim will
 * write straight into a worker's ring (one crossing per batch), the worker drains it in Java.
 */
#include <string.h>

#include "krill.h"

#define RING_FIELD(ring, offset, type) ((type *)(void *)((unsigned char *)(ring) + (offset)))

int krill_ring_offer(void *ring, const struct krill_event *events, int count) {
    uint64_t *tail_p = RING_FIELD(ring, KRILL_RING_TAIL_OFFSET, uint64_t);
    uint64_t *head_p = RING_FIELD(ring, KRILL_RING_HEAD_OFFSET, uint64_t);
    uint32_t capacity = *RING_FIELD(ring, KRILL_RING_CAPACITY_OFFSET, uint32_t);
    struct krill_event *records = RING_FIELD(ring, KRILL_RING_RECORDS_OFFSET, struct krill_event);
    if (count <= 0) return 0;
    uint64_t tail = __atomic_load_n(tail_p, __ATOMIC_RELAXED); /* only this producer writes it */
    /* Pairs with the consumer's release store of head (SpscRing.drain / krill_ring_poll):
     * the slots it has read are free to overwrite. */
    uint64_t head = __atomic_load_n(head_p, __ATOMIC_ACQUIRE);
    uint64_t free_slots = capacity - (tail - head);
    uint64_t n = (uint64_t)count < free_slots ? (uint64_t)count : free_slots;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(&records[(tail + i) & (capacity - 1)], &events[i], sizeof(struct krill_event));
    }
    /* Pairs with the consumer's acquire load of tail: the records above are visible first. */
    __atomic_store_n(tail_p, tail + n, __ATOMIC_RELEASE);
    return (int)n;
}

int krill_ring_poll(void *ring, struct krill_event *out, int max) {
    uint64_t *tail_p = RING_FIELD(ring, KRILL_RING_TAIL_OFFSET, uint64_t);
    uint64_t *head_p = RING_FIELD(ring, KRILL_RING_HEAD_OFFSET, uint64_t);
    uint32_t capacity = *RING_FIELD(ring, KRILL_RING_CAPACITY_OFFSET, uint32_t);
    struct krill_event *records = RING_FIELD(ring, KRILL_RING_RECORDS_OFFSET, struct krill_event);
    if (max <= 0) return 0;
    uint64_t head = __atomic_load_n(head_p, __ATOMIC_RELAXED); /* only this consumer writes it */
    /* Pairs with the producer's release store of tail. */
    uint64_t tail = __atomic_load_n(tail_p, __ATOMIC_ACQUIRE);
    uint64_t available = tail - head;
    uint64_t n = (uint64_t)max < available ? (uint64_t)max : available;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(&out[i], &records[(head + i) & (capacity - 1)], sizeof(struct krill_event));
    }
    /* Pairs with the producer's acquire load of head: those slots may now be overwritten. */
    __atomic_store_n(head_p, head + n, __ATOMIC_RELEASE);
    return (int)n;
}

/* ---- JNI wrappers (cold: tests and tools; the poll shim calls the cores directly) ---------- */

static jint JNICALL ring_offer0(JNIEnv *env, jclass cls, jlong ring, jlong events_address, jint count) {
    (void)env; (void)cls;
    return krill_ring_offer(KRILL_PTR(void *, ring), KRILL_PTR(const struct krill_event *, events_address), count);
}

static jint JNICALL ring_poll0(JNIEnv *env, jclass cls, jlong ring, jlong out_address, jint max) {
    (void)env; (void)cls;
    return krill_ring_poll(KRILL_PTR(void *, ring), KRILL_PTR(struct krill_event *, out_address), max);
}

static const JNINativeMethod methods[] = {
    {"offer", "(JJI)I", (void *)ring_offer0},
    {"poll", "(JJI)I", (void *)ring_poll0},
};

int krill_ring_register(JNIEnv *env) {
    return krill_register_natives(env, "io/krill/internal/ring/RingNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}
