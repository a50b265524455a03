/*
 * krill_ring.c ↔ RingNative.java, SpscRing.java: the native side of the off-heap event rings.
 *
 * A ring has one producer and one consumer, which may be C or Java: both sides follow the
 * layout and orderings in krill.h (RING_*). C writes event records here; the poll shim will
 * write straight into a worker's ring (one crossing per batch), the worker drains it in Java.
 */
#include <string.h>

#include "krill.h"

int krill_ring_offer(void *ring, const struct krill_event *events, int count) {
    struct krill_ring_view r = krill_ring_view_of(ring);
    if (count <= 0) return 0;
    uint64_t tail = __atomic_load_n(r.tail, __ATOMIC_RELAXED); /* only this producer writes it */
    /* Pairs with the consumer's release store of head (SpscRing.drain / krill_ring_poll):
     * the slots it has read are free to overwrite. */
    uint64_t head = __atomic_load_n(r.head, __ATOMIC_ACQUIRE);
    uint64_t free_slots = r.capacity - (tail - head);
    uint64_t n = (uint64_t)count < free_slots ? (uint64_t)count : free_slots;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(&r.records[(tail + i) & (r.capacity - 1)], &events[i], sizeof(struct krill_event));
    }
    /* Pairs with the consumer's acquire load of tail: the records above are visible first. */
    __atomic_store_n(r.tail, tail + n, __ATOMIC_RELEASE);
    return (int)n;
}

int krill_ring_poll(void *ring, struct krill_event *out, int max) {
    struct krill_ring_view r = krill_ring_view_of(ring);
    if (max <= 0) return 0;
    uint64_t head = __atomic_load_n(r.head, __ATOMIC_RELAXED); /* only this consumer writes it */
    /* Pairs with the producer's release store of tail. */
    uint64_t tail = __atomic_load_n(r.tail, __ATOMIC_ACQUIRE);
    uint64_t available = tail - head;
    uint64_t n = (uint64_t)max < available ? (uint64_t)max : available;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(&out[i], &r.records[(head + i) & (r.capacity - 1)], sizeof(struct krill_event));
    }
    /* Pairs with the producer's acquire load of head: those slots may now be overwritten. */
    __atomic_store_n(r.head, head + n, __ATOMIC_RELEASE);
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

int krill_ring_register(JNIEnv *env, const char *package) {
    return krill_register_natives(env, package, "RingNative", methods,
                                  (int)(sizeof(methods) / sizeof(methods[0])));
}
