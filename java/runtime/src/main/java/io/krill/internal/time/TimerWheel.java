package io.krill.internal.time;

/**
 * The hierarchical timing wheel: 6 levels x 64 slots of 1 ms ticks (see the package notes).
 * Not thread-safe: one owner thread links, unlinks and polls.
 */
final class TimerWheel {

    static final int LEVELS = 6;
    static final int SLOT_BITS = 6;
    static final int SLOTS = 1 << SLOT_BITS;
    static final long SLOT_MASK = SLOTS - 1;
    /** Ticks the wheel covers: 2^36 ms, about 795 days. */
    static final long MAX_DURATION_TICKS = (1L << (SLOT_BITS * LEVELS)) - 1;

    private final TimerEntry[] heads = new TimerEntry[LEVELS * SLOTS];
    private final long[] occupied = new long[LEVELS];
    private long elapsed;
    private int size;

    long elapsed() {
        return elapsed;
    }

    int size() {
        return size;
    }

    /** True when no slot holds an entry and no occupied bit is set (for leak tests). */
    boolean isEmpty() {
        for (long bits : occupied) {
            if (bits != 0) {
                return false;
            }
        }
        for (TimerEntry head : heads) {
            if (head != null) {
                return false;
            }
        }
        return size == 0;
    }

    static int levelFor(long elapsed, long when) {
        long masked = (elapsed ^ when) | SLOT_MASK;
        if (masked >= MAX_DURATION_TICKS) {
            masked = MAX_DURATION_TICKS - 1; // far deadlines wait in the top level
        }
        int significant = 63 - Long.numberOfLeadingZeros(masked);
        return significant / SLOT_BITS;
    }

    static int slotFor(long when, int level) {
        return (int) ((when >>> (level * SLOT_BITS)) & SLOT_MASK);
    }

    /**
     * Links an entry whose deadline is after {@link #elapsed()}.
     *
     * @return false when the deadline has already passed (the caller fires it)
     */
    boolean insert(TimerEntry entry) {
        long when = entry.deadlineTick;
        if (when <= elapsed) {
            return false;
        }
        link(entry, levelFor(elapsed, when));
        return true;
    }

    private void link(TimerEntry entry, int level) {
        int slot = slotFor(entry.deadlineTick, level);
        int index = level * SLOTS + slot;
        TimerEntry head = heads[index];
        entry.prev = null;
        entry.next = head;
        if (head != null) {
            head.prev = entry;
        }
        heads[index] = entry;
        entry.slotIndex = index;
        occupied[level] |= 1L << slot;
        size++;
    }

    /** Unlinks an entry that is in the wheel. */
    void remove(TimerEntry entry) {
        int index = entry.slotIndex;
        if (index < 0) {
            return;
        }
        if (entry.prev != null) {
            entry.prev.next = entry.next;
        } else {
            heads[index] = entry.next;
        }
        if (entry.next != null) {
            entry.next.prev = entry.prev;
        }
        if (heads[index] == null) {
            occupied[index / SLOTS] &= ~(1L << (index % SLOTS));
        }
        entry.prev = null;
        entry.next = null;
        entry.slotIndex = -1;
        size--;
    }

    /** The tick of the next slot to expire, or Long.MAX_VALUE when the wheel is empty. */
    long nextExpirationTick() {
        for (int level = 0; level < LEVELS; level++) {
            if (occupied[level] != 0) {
                // Lower levels always expire first: nothing above can be due before them.
                return slotDeadline(level, nextOccupiedSlot(level));
            }
        }
        return Long.MAX_VALUE;
    }

    private int nextOccupiedSlot(int level) {
        int nowSlot = (int) ((elapsed >>> (level * SLOT_BITS)) & SLOT_MASK);
        long rotated = Long.rotateRight(occupied[level], nowSlot);
        return (Long.numberOfTrailingZeros(rotated) + nowSlot) & (int) SLOT_MASK;
    }

    private long slotDeadline(int level, int slot) {
        long levelRange = 1L << (SLOT_BITS * (level + 1));
        long slotRange = 1L << (SLOT_BITS * level);
        long levelStart = elapsed & ~(levelRange - 1);
        long deadline = levelStart + slot * slotRange;
        if (deadline <= elapsed) {
            deadline += levelRange; // only the top level wraps: far deadlines parked there
        }
        return deadline;
    }

    /**
     * Advances to {@code nowTick}: fires every entry due by then and cascades the rest of each
     * expired slot down the levels. A waker that throws does not stop the others (the slot's
     * list is detached first, so stopping there would lose them); the first failure is thrown
     * once the wheel is consistent, with any later ones suppressed in it.
     *
     * @return how many entries fired
     */
    int advance(long nowTick) {
        int fired = 0;
        Throwable failure = null; // a waker that threw: the rest still fire, then it is rethrown
        for (;;) {
            int level = -1;
            int slot = 0;
            for (int l = 0; l < LEVELS; l++) {
                if (occupied[l] != 0) {
                    level = l;
                    slot = nextOccupiedSlot(l);
                    break;
                }
            }
            if (level < 0) {
                break;
            }
            long deadline = slotDeadline(level, slot);
            if (deadline > nowTick) {
                break;
            }
            int index = level * SLOTS + slot;
            TimerEntry entry = heads[index];
            heads[index] = null;
            occupied[level] &= ~(1L << slot);
            elapsed = deadline;
            // Out of the wheel, all of them, before any fires: a waker may cancel a later entry
            // of this list on this thread, which unlinks at once; linked, it would cut the rest
            // of the list off (its next set to null under our feet). Detached, it is left alone,
            // and skipped below by its state.
            for (TimerEntry each = entry; each != null; each = each.next) {
                each.slotIndex = -1;
                size--;
            }
            while (entry != null) {
                TimerEntry next = entry.next;
                entry.prev = null;
                entry.next = null;
                if (entry.state() != TimerEntry.IN_WHEEL) {
                    entry = next; // cancelled meanwhile (by a waker above, or another thread)
                    continue;
                }
                if (entry.deadlineTick <= deadline) {
                    try {
                        entry.fire();
                    } catch (RuntimeException | Error e) {
                        if (failure == null) {
                            failure = e;
                        } else {
                            failure.addSuppressed(e);
                        }
                    }
                    fired++;
                } else {
                    link(entry, levelFor(deadline, entry.deadlineTick)); // cascade down
                }
                entry = next;
            }
        }
        if (nowTick > elapsed) {
            elapsed = nowTick; // no occupied slot lies between: the levels stay valid
        }
        if (failure instanceof RuntimeException e) {
            throw e; // after the wheel is consistent again: its worker reports it and goes on
        } else if (failure instanceof Error e) {
            throw e;
        }
        return fired;
    }
}
