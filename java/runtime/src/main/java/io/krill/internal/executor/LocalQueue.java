package io.krill.internal.executor;

import io.krill.internal.task.ScheduledTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's run queue: fixed capacity (a power of two), FIFO; only the owner pushes and pops,
 * any thread may steal half of it into its own queue. Tokio's {@code queue.rs}, in Java.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>{@code tail} is written only by the owner (release store after filling the slot). {@code
 * head} packs two 32-bit indices, {@code steal} (high) and {@code real} (low): the owner pops by
 * CAS on {@code real}; a thief claims {@code [steal, real + n)} by one CAS that moves only
 * {@code real}, copies the claimed slots, then sets {@code steal = real} by CAS. While
 * {@code steal != real} a steal is in flight: other thieves back off, and the owner neither
 * overwrites the claimed slots ({@code tail - steal < capacity}) nor halves the queue on
 * overflow (it sends the task to the inject queue instead). Indices wrap as 32-bit integers;
 * differences are taken with {@code int} subtraction, exact while capacity &lt;= 2^30.
 *
 * <p>Slots are plain array elements: a slot is written by the owner before the release store of
 * {@code tail} and read by a thief after the acquire load of it; a thief clears the slots it took
 * before its CAS on {@code head}, which the owner acquires before reusing them.
 *
 * <p>{@code head} and {@code tail} sit 128 bytes apart (padding classes below) because owner
 * and thieves write them from different cores.
 */
final class LocalQueue extends LocalQueuePad2 {

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(LocalQueueHead.class, "head", long.class);
            TAIL = lookup.findVarHandle(LocalQueueTail.class, "tail", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ScheduledTask<?>[] buffer;
    private final int mask;
    private final int capacity;

    LocalQueue(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("local queue capacity must be a power of two in [2, 2^30], got " + capacity);
        }
        this.buffer = new ScheduledTask<?>[capacity];
        this.mask = capacity - 1;
        this.capacity = capacity;
    }

    static long pack(int steal, int real) {
        return ((long) steal << 32) | (real & 0xFFFF_FFFFL);
    }

    static int stealOf(long head) {
        return (int) (head >>> 32);
    }

    static int realOf(long head) {
        return (int) head;
    }

    int capacity() {
        return capacity;
    }

    /** Owner only: appends a task; when full, moves half of the queue and it to {@code overflow}. */
    void pushBack(ScheduledTask<?> task, InjectQueue overflow) {
        for (;;) {
            long head = (long) HEAD.getAcquire(this); // pairs with the CASes on head by thieves
            int steal = stealOf(head);
            int tail = (int) TAIL.get(this); // plain: only this thread writes tail
            if (tail - steal < capacity) {
                buffer[tail & mask] = task;
                TAIL.setRelease(this, tail + 1); // pairs with getAcquire in stealInto2
                return;
            }
            if (steal != realOf(head)) {
                overflow.push(task); // a steal is in flight: it will make room; do not wait for it
                return;
            }
            if (pushOverflow(task, realOf(head), overflow)) {
                return;
            }
            // a thief took some tasks first: there is room now, try again
        }
    }

    private boolean pushOverflow(ScheduledTask<?> task, int real, InjectQueue overflow) {
        int half = capacity / 2;
        if (!HEAD.compareAndSet(this, pack(real, real), pack(real + half, real + half))) {
            return false;
        }
        overflow.pushBatch(buffer, real, half, mask, task); // the claimed half, oldest first
        return true;
    }

    /** Owner only: takes the oldest task, or null. */
    ScheduledTask<?> pop() {
        long head = (long) HEAD.getAcquire(this);
        for (;;) {
            int steal = stealOf(head);
            int real = realOf(head);
            if (real == (int) TAIL.get(this)) {
                return null;
            }
            int nextReal = real + 1;
            long next = steal == real ? pack(nextReal, nextReal) : pack(steal, nextReal);
            long witness = (long) HEAD.compareAndExchange(this, head, next);
            if (witness == head) {
                int index = real & mask;
                ScheduledTask<?> task = buffer[index];
                buffer[index] = null; // the slot is ours: no thief claims below the new real
                return task;
            }
            head = witness;
        }
    }

    /**
     * Any thread, into its own queue {@code dst}: steals half of this queue, puts all but one in
     * {@code dst} and returns that one, or null when there was nothing to take.
     */
    ScheduledTask<?> stealInto(LocalQueue dst) {
        int dstTail = (int) TAIL.get(dst); // plain: the caller owns dst
        int dstSteal = stealOf((long) HEAD.getAcquire(dst));
        if (dstTail - dstSteal > dst.capacity / 2) {
            return null; // dst has no room for half of a full queue
        }
        int n = stealInto2(dst, dstTail);
        if (n == 0) {
            return null;
        }
        n--;
        int index = (dstTail + n) & dst.mask;
        ScheduledTask<?> taken = dst.buffer[index];
        dst.buffer[index] = null;
        if (n > 0) {
            TAIL.setRelease(dst, dstTail + n); // publishes the copied slots to dst's thieves
        }
        return taken;
    }

    private int stealInto2(LocalQueue dst, int dstTail) {
        long prev = (long) HEAD.getAcquire(this);
        long next;
        int n;
        for (;;) {
            int steal = stealOf(prev);
            int real = realOf(prev);
            if (steal != real) {
                return 0; // another thief is at work
            }
            int tail = (int) TAIL.getAcquire(this); // pairs with setRelease in pushBack
            n = tail - real;
            n -= n / 2;
            if (n == 0) {
                return 0;
            }
            next = pack(steal, real + n);
            long witness = (long) HEAD.compareAndExchange(this, prev, next);
            if (witness == prev) {
                break;
            }
            prev = witness;
        }
        int first = stealOf(next);
        for (int i = 0; i < n; i++) {
            int from = (first + i) & mask;
            dst.buffer[(dstTail + i) & dst.mask] = buffer[from];
            buffer[from] = null;
        }
        // Release the claim: steal = real. The owner may have popped meanwhile (real moved).
        prev = next;
        for (;;) {
            int real = realOf(prev);
            long witness = (long) HEAD.compareAndExchange(this, prev, pack(real, real));
            if (witness == prev) {
                return n;
            }
            prev = witness;
        }
    }

    /** Tasks in the queue; exact for the owner, a snapshot for other threads. */
    int size() {
        long head = (long) HEAD.getAcquire(this);
        return (int) TAIL.getAcquire(this) - realOf(head);
    }

    boolean isEmpty() {
        return size() <= 0;
    }
}

/** Padding before {@code head}: keeps it off the object header's cache line. */
abstract class LocalQueuePad0 {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/** {@code head}: CAS by the owner (pop) and by thieves (steal). */
abstract class LocalQueueHead extends LocalQueuePad0 {
    volatile long head;
}

/** Padding between {@code head} and {@code tail}: 128 bytes, two cache lines. */
abstract class LocalQueuePad1 extends LocalQueueHead {
    byte q000, q001, q002, q003, q004, q005, q006, q007, q008, q009, q010, q011, q012, q013, q014, q015;
    byte q016, q017, q018, q019, q020, q021, q022, q023, q024, q025, q026, q027, q028, q029, q030, q031;
    byte q032, q033, q034, q035, q036, q037, q038, q039, q040, q041, q042, q043, q044, q045, q046, q047;
    byte q048, q049, q050, q051, q052, q053, q054, q055, q056, q057, q058, q059, q060, q061, q062, q063;
    byte q064, q065, q066, q067, q068, q069, q070, q071, q072, q073, q074, q075, q076, q077, q078, q079;
    byte q080, q081, q082, q083, q084, q085, q086, q087, q088, q089, q090, q091, q092, q093, q094, q095;
    byte q096, q097, q098, q099, q100, q101, q102, q103, q104, q105, q106, q107, q108, q109, q110, q111;
    byte q112, q113, q114, q115, q116, q117, q118, q119, q120, q121, q122, q123, q124, q125, q126, q127;
}

/** {@code tail}: written by the owner only (release), read by thieves (acquire). */
abstract class LocalQueueTail extends LocalQueuePad1 {
    volatile int tail;
}

/** Padding after {@code tail}: the final fields read by every thief stay off its line. */
abstract class LocalQueuePad2 extends LocalQueueTail {
    byte r000, r001, r002, r003, r004, r005, r006, r007, r008, r009, r010, r011, r012, r013, r014, r015;
    byte r016, r017, r018, r019, r020, r021, r022, r023, r024, r025, r026, r027, r028, r029, r030, r031;
    byte r032, r033, r034, r035, r036, r037, r038, r039, r040, r041, r042, r043, r044, r045, r046, r047;
    byte r048, r049, r050, r051, r052, r053, r054, r055, r056, r057, r058, r059, r060, r061, r062, r063;
    byte r064, r065, r066, r067, r068, r069, r070, r071, r072, r073, r074, r075, r076, r077, r078, r079;
    byte r080, r081, r082, r083, r084, r085, r086, r087, r088, r089, r090, r091, r092, r093, r094, r095;
    byte r096, r097, r098, r099, r100, r101, r102, r103, r104, r105, r106, r107, r108, r109, r110, r111;
    byte r112, r113, r114, r115, r116, r117, r118, r119, r120, r121, r122, r123, r124, r125, r126, r127;
}
