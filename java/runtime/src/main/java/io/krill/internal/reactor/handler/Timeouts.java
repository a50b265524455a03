package io.krill.internal.reactor.handler;

import io.krill.Task;
import io.krill.internal.reactor.SlotView;
import io.krill.time.Time;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The read and idle timeouts of one driver's connections: per connection with a timeout, one
 * row of primitive arrays (the two limits, the times of the last read and the last write, the
 * connection's token) and its next check in one {@link DeadlineHeap}; the row's number sits in
 * the slot ({@link SlotView#timeoutRow}). Made on the first timeout a connection of the driver
 * sets, so a server that uses none pays nothing; then about 60 bytes per row, rows as many as
 * this driver's connections with a timeout (freed rows are reused), and no object per
 * connection: the driver keeps one runtime timer, armed for the earliest check. (Rows by slot
 * index instead made every driver's arrays as long as the highest slot index of all the
 * drivers: twice the memory with two workers, sixteen times with sixteen.)
 *
 * <p>Timeouts fire lazily, as Netty's idle handler does: a connection's check is due at its
 * nearer deadline as it stood when the check was scheduled; at the check, a connection that was
 * active meanwhile is scheduled again for the rest. A busy connection so costs one check per
 * limit, not one per read, and a read is two stores. A limit set with a deadline before the
 * scheduled check (a read timeout after a longer idle one) moves the check earlier.
 *
 * <p>The driver's timer: when the earliest check moves before the armed timer (or none is
 * armed), the timer is cancelled and armed again for it; when it fires, its continuation (on
 * whichever worker holds it) tells the driver ({@link ShardDriver#timeoutsDue()}), which runs
 * the due checks in its next step and arms the timer for the next one. One superseded timer
 * that fires anyway only makes the driver look at an early heap, which is harmless. Was one
 * timer, a sleep and a continuation per connection (#12: 15,000 idle connections each held
 * three objects, copied by every young collection).
 *
 * <p>Driver thread only, but the timer's continuation, which only signals the driver.
 */
final class Timeouts {

    /** What {@link #check} found. */
    static final int NONE = 0;
    static final int READ = 1;
    static final int IDLE = 2;

    private static final int INITIAL_ROWS = 64;

    /** Checks by row. */
    private final DeadlineHeap checks = new DeadlineHeap(INITIAL_ROWS);
    // 0 in a limit: that timeout is off for this row.
    private long[] readLimitNanos = new long[INITIAL_ROWS];
    private long[] idleLimitNanos = new long[INITIAL_ROWS];
    private long[] lastReadNanos = new long[INITIAL_ROWS];
    private long[] lastWriteNanos = new long[INITIAL_ROWS];
    /** The token of the connection a row belongs to; 0 for a free row. A slot naming a row of another token has none. */
    private long[] tokens = new long[INITIAL_ROWS];
    /** Rows handed out so far (rows below it are in use or free); freed rows wait in freeRows. */
    private int rowsUsed;
    private int[] freeRows = new int[INITIAL_ROWS];
    private int freeCount;
    /** The driver's timer, or null; and the time it was armed for. */
    private Task<Void> timer;
    private long timerAt;
    private final Function<Void, Void> onTimer;

    Timeouts(ShardDriver driver) {
        this.onTimer = ignored -> {
            driver.timeoutsDue();
            return null;
        };
    }

    /** The limit of {@code timeout} (0: off), or an exception naming the bad value. */
    static long limitOf(Duration timeout, String what) {
        if (timeout == null || timeout.isZero()) {
            return 0;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + timeout + " (null turns it off)");
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4; // centuries: never, without overflowing the deadline arithmetic
        }
    }

    /** The bound connection's row, or -1 when it has none. */
    private int rowOf(SlotView slot) {
        int row = slot.timeoutRow() - 1;
        return row >= 0 && row < rowsUsed && tokens[row] == slot.token() ? row : -1;
    }

    /** A row for the bound connection: a freed one, or a new one at the end. */
    private int newRow(SlotView slot, long now) {
        int row;
        if (freeCount > 0) {
            row = freeRows[--freeCount];
        } else {
            row = rowsUsed++;
            if (row == tokens.length) {
                int size = row * 2;
                readLimitNanos = Arrays.copyOf(readLimitNanos, size);
                idleLimitNanos = Arrays.copyOf(idleLimitNanos, size);
                lastReadNanos = Arrays.copyOf(lastReadNanos, size);
                lastWriteNanos = Arrays.copyOf(lastWriteNanos, size);
                tokens = Arrays.copyOf(tokens, size);
            }
        }
        tokens[row] = slot.token();
        readLimitNanos[row] = 0;
        idleLimitNanos[row] = 0;
        lastReadNanos[row] = now;
        lastWriteNanos[row] = now;
        slot.timeoutRow(row + 1);
        return row;
    }

    /** Frees {@code row}: its check goes, and a later connection may take it. */
    private void freeRow(int row) {
        checks.remove(row);
        tokens[row] = 0;
        readLimitNanos[row] = 0;
        idleLimitNanos[row] = 0;
        if (freeCount == freeRows.length) {
            freeRows = Arrays.copyOf(freeRows, freeCount * 2);
        }
        freeRows[freeCount++] = row;
    }

    /** Sets (0 clears) one limit ({@link #READ} or {@link #IDLE}) of the bound connection, counting from now. */
    void set(SlotView slot, int kind, long limit) {
        long now = Time.nanoTime();
        int row = rowOf(slot);
        if (row < 0) {
            if (limit == 0) {
                return; // off, and nothing was on
            }
            row = newRow(slot, now);
        }
        (kind == READ ? readLimitNanos : idleLimitNanos)[row] = limit;
        if (kind == READ) {
            lastReadNanos[row] = now;
        } else {
            lastWriteNanos[row] = now;
        }
        long left = remaining(row, now);
        if (left == Long.MAX_VALUE) {
            freeRow(row); // both off
            slot.timeoutRow(0);
            return;
        }
        long at = now + left;
        if (!checks.contains(row) || at - checks.deadlineOf(row) < 0) {
            checks.set(row, at); // none scheduled for this connection, or it comes too late
            arm();
        }
    }

    /** The bound connection read now. */
    void read(SlotView slot) {
        int row = rowOf(slot);
        if (row >= 0) {
            lastReadNanos[row] = Time.nanoTime();
        }
    }

    /** The bound connection wrote now. */
    void wrote(SlotView slot) {
        int row = rowOf(slot);
        if (row >= 0 && idleLimitNanos[row] != 0) {
            lastWriteNanos[row] = Time.nanoTime();
        }
    }

    /** Nanoseconds to the nearer deadline of {@code row} (0 or less: passed), MAX_VALUE with none set. */
    private long remaining(int row, long now) {
        long left = Long.MAX_VALUE;
        if (readLimitNanos[row] != 0) {
            left = lastReadNanos[row] + readLimitNanos[row] - now;
        }
        if (idleLimitNanos[row] != 0) {
            left = Math.min(left, Math.max(lastReadNanos[row], lastWriteNanos[row]) + idleLimitNanos[row] - now);
        }
        return left;
    }

    /**
     * The token of a connection whose check is due at {@code now}, or 0; the caller binds it
     * (or, when it is stale, {@link #drop}s it) and calls {@link #check}.
     */
    long due(long now) {
        int row = checks.peek();
        return row != DeadlineHeap.NONE && checks.deadlineOf(row) - now <= 0 ? tokens[row] : 0;
    }

    /** Drops the due check of a connection that closed without {@link #clear} (its row is freed). */
    void drop(long token) {
        int row = checks.peek();
        if (row != DeadlineHeap.NONE && tokens[row] == token) {
            freeRow(row); // the slot's next registration zeroes its row number
        }
    }

    /**
     * The due check of the bound connection: {@link #READ} or {@link #IDLE} when that limit
     * passed (the caller closes it); else {@link #NONE}, scheduled again for the rest.
     */
    int check(SlotView slot, long now) {
        int row = rowOf(slot);
        if (row < 0) {
            return NONE;
        }
        checks.remove(row);
        if (readLimitNanos[row] != 0 && lastReadNanos[row] + readLimitNanos[row] - now <= 0) {
            return READ;
        }
        if (idleLimitNanos[row] != 0
                && Math.max(lastReadNanos[row], lastWriteNanos[row]) + idleLimitNanos[row] - now <= 0) {
            return IDLE;
        }
        long left = remaining(row, now);
        if (left != Long.MAX_VALUE) {
            checks.set(row, now + left);
        }
        return NONE;
    }

    long limitMillis(SlotView slot, int kind) {
        int row = rowOf(slot);
        return row < 0 ? 0 : Duration.ofNanos((kind == READ ? readLimitNanos : idleLimitNanos)[row]).toMillis();
    }

    /** The bound connection closes: its row may serve another. */
    void clear(SlotView slot) {
        int row = rowOf(slot);
        if (row >= 0) {
            freeRow(row);
            slot.timeoutRow(0);
        }
    }

    /**
     * Makes sure the driver's timer fires no later than the earliest check: keeps an armed one
     * that does, else cancels it and arms one that does. After the driver's due checks too.
     */
    void arm() {
        int first = checks.peek();
        if (first == DeadlineHeap.NONE) {
            return; // an armed timer fires into an empty heap: one look, no harm
        }
        long at = checks.deadlineOf(first);
        Task<Void> armed = timer;
        if (armed != null && !armed.isDone() && timerAt - at <= 0) {
            return;
        }
        if (armed != null) {
            armed.cancel(); // superseded (or done: then this does nothing)
        }
        timerAt = at;
        timer = Time.sleepUntil(at).map(onTimer);
    }

    /** The driver closes: its timer goes. */
    void close() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
