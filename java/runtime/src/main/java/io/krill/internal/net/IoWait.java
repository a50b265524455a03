package io.krill.internal.net;

import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.Readiness;
import io.krill.internal.reactor.Waiters;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.task.TaskScheduler;
import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One socket operation that had to wait: the task and the readiness waker in one object. It is
 * made on the first {@code EAGAIN} only, registers itself as the slot's waiter, and on each wake
 * tries its system call again, in a loop, until the operation is done. A read that needs many
 * wake-ups (a peer dripping one byte at a time into {@code readExact}, a slow reader draining a
 * large {@code writeAll}) costs this one object, where a {@code then} per attempt would keep one
 * finished link per wake-up alive until the operation ends.
 *
 * <p>A wake that finds nothing (a spurious one, or readiness another call consumed) only
 * registers again. A closed socket wakes every waiter; the attempt then reports
 * {@link Registration#CLOSED_RESULT} and the operation fails with {@link io.krill.net.SocketClosedException}.
 * Cancelling the task leaves its waker in the slot until the next event or the next operation
 * replaces it; a wake of a finished task is ignored.
 *
 * <p><b>Cancel safety.</b> A cancel must not land between a system call and the completion
 * that reports it: the bytes would be read (or sent) and their count lost. So a step
 * <em>claims</em> the task before its calls ({@code claim}: IDLE to BUSY) and gives the claim
 * back only when it goes back to waiting. A cancel that finds the task IDLE ends it (IDLE to
 * ENDED) and wins; one that finds it BUSY only asks (CANCEL_REQUESTED) and returns false: the
 * step then finishes, with what its call got, or, going back to waiting, cancelled. Bytes a
 * cancelled {@code readExact} had read go back to the socket ({@link Registration#unread}), as
 * do those of a read nobody took ({@link #handBack}), so the next read returns them first.
 * Bytes written cannot be taken back: a write's count is delivered or, in a race it lost, lost.
 *
 * <p>Off a worker the step runs on the thread that wakes it (the reactor), as continuations
 * of tasks outside any runtime do.
 */
final class IoWait extends ScheduledTask<Object> {

    enum Kind { READ, READ_EXACT, WRITE, WRITE_ALL, READY }

    private final Registration registration;
    private final Kind kind;
    private final int interest;
    private final MemorySegment buffer; // null for READY
    private final String operation;
    /** Bytes done so far (READ_EXACT, WRITE_ALL); written under the claim (see the class notes). */
    private long done;
    /** IDLE, BUSY, CANCEL_REQUESTED or ENDED; see the class notes. */
    private volatile int claim;

    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CANCEL_REQUESTED = 2;
    private static final int ENDED = 3;
    private static final VarHandle CLAIM;

    static {
        try {
            CLAIM = MethodHandles.lookup().findVarHandle(IoWait.class, "claim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private IoWait(Registration registration, Kind kind, int interest, MemorySegment buffer, long done, String operation) {
        super(TaskScheduler.here(), false);
        this.registration = registration;
        this.kind = kind;
        this.interest = interest;
        this.buffer = buffer;
        this.done = done;
        this.operation = operation;
    }

    /**
     * After an attempt said {@code EAGAIN}: a task that finishes {@code kind} once the socket is
     * ready (its readiness was cleared by that attempt).
     */
    static IoWait start(Registration registration, Kind kind, MemorySegment buffer, long done, String operation) {
        int interest = switch (kind) {
            case READ, READ_EXACT -> Readiness.READABLE;
            case WRITE, WRITE_ALL -> Readiness.WRITABLE;
            case READY -> throw new IllegalArgumentException("READY waits with ready()");
        };
        IoWait wait = new IoWait(registration, kind, interest, buffer, done, operation);
        wait.arm();
        return wait;
    }

    /**
     * A task completing when the socket is ready for {@code interest} (or has closed, failing
     * then); already complete when it is ready now.
     */
    static IoWait ready(Registration registration, int interest, String operation) {
        IoWait wait = new IoWait(registration, Kind.READY, interest, null, 0, operation);
        if ((interest == Readiness.READABLE && registration.hasUnread())
                || waiters(registration).pollReady(registration.token(), interest, wait)) {
            wait.claim = ENDED; // unpublished: a plain write would do
            wait.finishReady();
        }
        return wait;
    }

    private static Waiters waiters(Registration registration) {
        return registration.table().waiters();
    }

    /** Waits for the next matching event; ready already: runs soon (a wake of our own). */
    private void arm() {
        if (waiters(registration).pollReady(registration.token(), interest, this)) {
            wake();
        }
    }

    /** This task as the result type its kind completes with (Integer, or Void for the rest). */
    @SuppressWarnings("unchecked")
    <T> io.krill.Task<T> as() {
        return (io.krill.Task<T>) (io.krill.Task<?>) this;
    }

    @Override
    public String describe() {
        return "socket " + operation + "(" + registration.name() + ")";
    }

    @Override
    protected void step() {
        if (!CLAIM.compareAndSet(this, IDLE, BUSY)) {
            return; // ended: cancelled (or finished) meanwhile
        }
        if (kind == Kind.READY) {
            claim = ENDED;
            finishReady();
            return;
        }
        if (interest == Readiness.READABLE && registration.hasUnread() && takeGivenBack()) {
            return;
        }
        for (;;) {
            if (!NativeBuffers.isAlive(buffer)) { // closed while it waited: never hand C freed memory
                end();
                completeFailure(new IllegalStateException(operation + "(" + registration.name()
                        + "): the buffer's arena was closed while it waited"));
                return;
            }
            long size = buffer.byteSize();
            long at = kind == Kind.READ || kind == Kind.WRITE ? 0 : done;
            int length = (int) Math.min(size - at, Integer.MAX_VALUE);
            Registration.Syscall call = interest == Readiness.READABLE ? Registration.READ : Registration.WRITE;
            int n = registration.attempt(call, buffer.address() + at, length, interest);
            if (n == -Errno.EAGAIN.number()) {
                if (!waiters(registration).pollReady(registration.token(), interest, this)) {
                    unclaim();
                    return; // waiting for the next event
                }
                continue; // an event came in between: try again now
            }
            if (n == Registration.CLOSED_RESULT) {
                end();
                completeFailure(registration.closedWhilePending(operation));
                return;
            }
            if (n < 0) {
                end();
                completeFailure(Errors.newException((interest == Readiness.READABLE ? "read(" : "write(")
                        + registration.name() + ")", n));
                return;
            }
            switch (kind) {
                case READ -> {
                    end();
                    completeValue(n == 0 ? -1 : n);
                    return;
                }
                case WRITE -> {
                    end();
                    completeValue(n);
                    return;
                }
                case READ_EXACT -> {
                    if (n == 0) {
                        end();
                        completeFailure(new EOFException(operation + "(" + registration.name() + "): end of stream after "
                                + done + " of " + size + " bytes, " + (size - done) + " missing"));
                        return;
                    }
                    done += n;
                }
                case WRITE_ALL -> done += n;
                case READY -> throw new AssertionError(kind);
            }
            if (done == size) {
                end();
                completeValue(null);
                return;
            }
            if (n < length && !waiters(registration).pollReady(registration.token(), interest, this)) {
                unclaim();
                return; // short: the socket is drained (or full) and its readiness cleared; wait, skip the EAGAIN
            }
        }
    }

    /**
     * Bytes given back by an earlier read came in while this one waited: they come first.
     *
     * @return true when that finished the operation
     */
    private boolean takeGivenBack() {
        long at = kind == Kind.READ ? 0 : done;
        int given = registration.takeUnread(buffer.asSlice(at));
        if (kind == Kind.READ && given > 0) {
            end();
            completeValue(given);
            return true;
        }
        done += given;
        if (kind == Kind.READ_EXACT && done == buffer.byteSize()) {
            end();
            completeValue(null);
            return true;
        }
        return false;
    }

    /** Before completing: a cancel from now on finds the task ending, and returns false. */
    private void end() {
        claim = ENDED;
    }

    /** Back to waiting: gives the claim back, or, asked to cancel meanwhile, cancels now. */
    private void unclaim() {
        if (!CLAIM.compareAndSet(this, BUSY, IDLE)) { // CANCEL_REQUESTED
            claim = ENDED;
            giveBackPartial();
            super.cancel();
        }
    }

    /**
     * Cancels when no step is making a call (see the class notes); else asks the step to, and
     * returns false: the operation then ends with what the call got, or cancelled.
     */
    @Override
    public boolean cancel() {
        for (;;) {
            int c = claim;
            if (c == IDLE) {
                if (CLAIM.compareAndSet(this, IDLE, ENDED)) {
                    giveBackPartial(); // the step that set done gave the claim back: its writes are ours
                    return super.cancel();
                }
            } else if (c == BUSY) {
                if (CLAIM.compareAndSet(this, BUSY, CANCEL_REQUESTED)) {
                    return false;
                }
            } else {
                return false; // ending, or asked already
            }
        }
    }

    /** A readExact cancelled part-way: the bytes it had go back to the socket's next read. */
    private void giveBackPartial() {
        if (kind == Kind.READ_EXACT && done > 0) {
            registration.unread(buffer.asSlice(0, done));
            done = 0;
        }
    }

    /** A read that finished and that nobody took: its bytes go back to the socket's next read. */
    @Override
    protected void handBack(Object value) {
        if (kind == Kind.READ && value instanceof Integer n && n > 0) {
            registration.unread(buffer.asSlice(0, n));
        } else if (kind == Kind.READ_EXACT) {
            registration.unread(buffer);
        }
    }

    private void finishReady() {
        if (registration.isOpen()) {
            completeValue(null);
        } else {
            completeFailure(registration.closedWhilePending(operation));
        }
    }
}
