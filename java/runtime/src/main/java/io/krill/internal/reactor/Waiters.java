package io.krill.internal.reactor;

import io.krill.Promise;
import io.krill.Task;
import io.krill.internal.jni.Readiness;
import io.krill.internal.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The Task API's mode of the {@link ConnectionTable}: one read waiter and one write waiter per
 * slot, in on-heap arrays beside the table's chunks (a waiting task is a Java object; an idle
 * connection has none). Handler-API slots never have waiters.
 *
 * <h2>Implementation notes</h2>
 *
 * A waiter is stored (volatile: a full fence), then the slot's state is re-checked, and the dispatcher
 * takes it with {@code getAndSet} ({@link #wake}), so an event between the check and the store
 * is not missed: either the re-check sees the event's readiness, or the event's take sees the
 * waiter. The arrays grow with the table, under its lock, and are published before the chunk
 * they serve (a reader that sees the chunk sees its waiter arrays).
 *
 * <p>A waiter's place belongs to the slot, not to one registration: a task whose connection is
 * closed (and whose slot is given to a new one) between its check and its store puts its waker
 * where the new connection's waiter may already sit. The re-check reads the whole state word,
 * generation included, so it sees that; the task then takes its waker out again and wakes the
 * one it displaced, which polls again and puts itself back. Nobody's wake-up is lost.
 */
public final class Waiters {

    private static final VarHandle WAITER = MethodHandles.arrayElementVarHandle(Waker[].class);

    static final int READ_WAKE = Readiness.READABLE | Readiness.READ_HANGUP | Readiness.HANGUP | Readiness.ERROR;
    static final int WRITE_WAKE = Readiness.WRITABLE | Readiness.HANGUP | Readiness.ERROR;

    private final ConnectionTable table;
    private volatile Waker[][] readers = new Waker[0][]; // replaced under the table's lock
    private volatile Waker[][] writers = new Waker[0][];

    Waiters(ConnectionTable table) {
        this.table = table;
    }

    /** The table adds chunk {@code n}: its waiter arrays first (under the table's lock). */
    void addChunk(int n) {
        Waker[][] r = Arrays.copyOf(readers, n + 1);
        Waker[][] w = Arrays.copyOf(writers, n + 1);
        r[n] = new Waker[ConnectionTable.CHUNK_SLOTS];
        w[n] = new Waker[ConnectionTable.CHUNK_SLOTS];
        readers = r;
        writers = w;
    }

    /** An event with {@code readiness} for slot {@code index}: wakes the waiters it concerns. */
    void wake(int index, int readiness) {
        if ((readiness & READ_WAKE) != 0) {
            wake(readers, index);
        }
        if ((readiness & WRITE_WAKE) != 0) {
            wake(writers, index);
        }
    }

    /** The slot closed: both waiters wake (and find it closed). */
    void wakeAll(int index) {
        wake(readers, index);
        wake(writers, index);
    }

    private static void wake(Waker[][] waiters, int index) {
        Interleaving.point("take waiter");
        Waker waker = (Waker) WAITER.getAndSet(waiters[index >>> ConnectionTable.CHUNK_SHIFT],
                index & (ConnectionTable.CHUNK_SLOTS - 1), (Waker) null);
        if (waker != null) {
            waker.wake();
        }
    }

    /**
     * Ready for {@code interest} (or errored, hung up, closed) now: true. Else stores
     * {@code waker} to be woken by the next matching event, and returns false.
     */
    public boolean pollReady(long token, int interest, Waker waker) {
        if (!table.isCurrent(token)) {
            return true; // closed: the caller finds out by its next call
        }
        int index = ConnectionTable.indexOfToken(token);
        long generation = ConnectionTable.generationOf(token);
        boolean write = (interest & Readiness.WRITABLE) != 0;
        int wakeOn = write ? WRITE_WAKE : READ_WAKE;
        if (readyFor(table.stateAt(token), wakeOn, generation)) {
            return true;
        }
        Waker[] slots = (write ? writers : readers)[index >>> ConnectionTable.CHUNK_SHIFT];
        int at = index & (ConnectionTable.CHUNK_SLOTS - 1);
        // Volatile (getAndSet), not release: the store must be visible before the state is read
        // again (a Dekker pair with the dispatcher's state CAS then getAndSet). A release store
        // may sit in the store buffer past the load below; an event dispatched on another worker
        // in between would then see no waiter while this re-check saw no readiness: a lost wake-up.
        Interleaving.point("store waiter");
        Waker displaced = (Waker) WAITER.getAndSet(slots, at, waker);
        long state = table.stateAt(token);
        if (readyFor(state, wakeOn, generation)) { // an event may have come in between, or a close
            Interleaving.point("take waiter back");
            WAITER.compareAndSet(slots, at, waker, (Waker) null);
            if (displaced != null && displaced != waker && !SlotDescriptor.isLive(state, generation)) {
                displaced.wake(); // the slot's next connection's waiter, displaced by our stale store: it polls again
            }
            return true;
        }
        return false;
    }

    /** Ready for {@code wakeOn}, or no longer the registration of {@code generation} (closed). */
    private static boolean readyFor(long state, int wakeOn, long generation) {
        return (SlotDescriptor.readiness(state) & wakeOn) != 0 || !SlotDescriptor.isLive(state, generation);
    }

    /** A task completing when {@code token} is ready for {@code interest} (or closed). */
    public Task<Void> ready(long token, int interest) {
        Promise<Void> promise = Task.promise();
        if (pollReady(token, interest, () -> promise.complete(null))) {
            promise.complete(null);
        }
        return promise;
    }
}
