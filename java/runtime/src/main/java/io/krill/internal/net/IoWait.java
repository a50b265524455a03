package io.krill.internal.net;

import io.krill.internal.errno.Errors;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.Readiness;
import io.krill.internal.reactor.Waiters;
import io.krill.internal.task.ScheduledTask;
import io.krill.internal.task.TaskScheduler;
import java.io.EOFException;
import java.lang.foreign.MemorySegment;

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
    /** Bytes done so far (READ_EXACT, WRITE_ALL); only the step's thread touches it. */
    private long done;

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
        if (waiters(registration).pollReady(registration.token(), interest, wait)) {
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
        if (kind == Kind.READY) {
            finishReady();
            return;
        }
        for (;;) {
            long size = buffer.byteSize();
            long at = kind == Kind.READ || kind == Kind.WRITE ? 0 : done;
            int length = (int) Math.min(size - at, Integer.MAX_VALUE);
            Registration.Syscall call = interest == Readiness.READABLE ? Registration.READ : Registration.WRITE;
            int n = registration.attempt(call, buffer.address() + at, length, interest);
            if (n == -Errno.EAGAIN.number()) {
                if (!waiters(registration).pollReady(registration.token(), interest, this)) {
                    return; // waiting for the next event
                }
                continue; // an event came in between: try again now
            }
            if (n == Registration.CLOSED_RESULT) {
                completeFailure(registration.closedWhilePending(operation));
                return;
            }
            if (n < 0) {
                completeFailure(Errors.newException((interest == Readiness.READABLE ? "read(" : "write(")
                        + registration.name() + ")", n));
                return;
            }
            switch (kind) {
                case READ -> {
                    completeValue(n == 0 ? -1 : n);
                    return;
                }
                case WRITE -> {
                    completeValue(n);
                    return;
                }
                case READ_EXACT -> {
                    if (n == 0) {
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
                completeValue(null);
                return;
            }
            if (n < length && !waiters(registration).pollReady(registration.token(), interest, this)) {
                return; // short: the socket is drained (or full) and its readiness cleared; wait, skip the EAGAIN
            }
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
