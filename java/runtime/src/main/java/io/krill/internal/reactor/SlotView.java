package io.krill.internal.reactor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The handler engine's window on one slot of the {@link ConnectionTable}: bound once per
 * service ({@link ConnectionTable#bind}) to the slot's chunk and offset, so that the dozen reads
 * and writes of serving one event go straight to memory instead of through a table lookup each
 * (which re-read the table's volatile chunk array every time).
 *
 * <p>Only the fields {@link SlotDescriptor} gives to the driver that owns the slot are reached
 * here (fd, timeout row, backlog, driver flags, user area), and all with plain accesses: the driver is the
 * only thread that touches them while the slot is open (see {@link SlotDescriptor}). The token
 * is read once, with acquire, when the view is bound.
 *
 * <p>A view is reused: it names whatever slot it was last bound to. One per driver (the
 * connection being served) and one per acceptor (the listener) is enough.
 */
public final class SlotView {

    private MemorySegment chunk;
    private long base;
    private int index = -1;
    private long token;

    void bind(MemorySegment chunk, long base, int index, long token) {
        this.chunk = chunk;
        this.base = base;
        this.index = index;
        this.token = token;
    }

    /** The bound slot's index. */
    public int index() {
        return index;
    }

    /** The token of the registration the view was bound to (stale once it closed). */
    public long token() {
        return token;
    }

    public int fd() {
        return chunk.get(ValueLayout.JAVA_INT, base + SlotDescriptor.FD_OFFSET);
    }

    /** The connection's row in its driver's timeout tables plus one; 0 when it has none. */
    public int timeoutRow() {
        return chunk.get(ValueLayout.JAVA_INT, base + SlotDescriptor.TIMEOUT_ROW_OFFSET);
    }

    public void timeoutRow(int rowPlusOne) {
        chunk.set(ValueLayout.JAVA_INT, base + SlotDescriptor.TIMEOUT_ROW_OFFSET, rowPlusOne);
    }

    // ---- driver flags (SlotDescriptor.DRIVER_*) ---------------------------------------------

    public int flags() {
        return Short.toUnsignedInt(chunk.get(ValueLayout.JAVA_SHORT, base + SlotDescriptor.DRIVER_FLAGS_OFFSET));
    }

    public void flags(int flags) {
        chunk.set(ValueLayout.JAVA_SHORT, base + SlotDescriptor.DRIVER_FLAGS_OFFSET, (short) flags);
    }

    /** True when any of {@code bits} is set. */
    public boolean any(int bits) {
        return (flags() & bits) != 0;
    }

    public void set(int bits) {
        flags(flags() | bits);
    }

    public void clear(int bits) {
        flags(flags() & ~bits);
    }

    // ---- write backlog (chunk indices of the driver's ChunkPool) -----------------------------

    public int backlogHead() {
        return chunk.get(ValueLayout.JAVA_INT, base + SlotDescriptor.BACKLOG_HEAD_OFFSET);
    }

    public int backlogTail() {
        return chunk.get(ValueLayout.JAVA_INT, base + SlotDescriptor.BACKLOG_TAIL_OFFSET);
    }

    public int backlogBytes() {
        return chunk.get(ValueLayout.JAVA_INT, base + SlotDescriptor.BACKLOG_BYTES_OFFSET);
    }

    public void backlog(int head, int tail, int bytes) {
        chunk.set(ValueLayout.JAVA_INT, base + SlotDescriptor.BACKLOG_HEAD_OFFSET, head);
        chunk.set(ValueLayout.JAVA_INT, base + SlotDescriptor.BACKLOG_TAIL_OFFSET, tail);
        chunk.set(ValueLayout.JAVA_INT, base + SlotDescriptor.BACKLOG_BYTES_OFFSET, bytes);
    }

    // ---- user area --------------------------------------------------------------------------

    /** The user area's long at {@code offset} (0 to 8). */
    public long userLong(int offset) {
        return chunk.get(ValueLayout.JAVA_LONG_UNALIGNED, base + userOffset(offset, Long.BYTES));
    }

    public void userLong(int offset, long value) {
        chunk.set(ValueLayout.JAVA_LONG_UNALIGNED, base + userOffset(offset, Long.BYTES), value);
    }

    /** The user area's int at {@code offset} (0 to 12). */
    public int userInt(int offset) {
        return chunk.get(ValueLayout.JAVA_INT_UNALIGNED, base + userOffset(offset, Integer.BYTES));
    }

    public void userInt(int offset, int value) {
        chunk.set(ValueLayout.JAVA_INT_UNALIGNED, base + userOffset(offset, Integer.BYTES), value);
    }

    private static int userOffset(int offset, int size) {
        if (offset < 0 || offset > SlotDescriptor.USER_AREA_BYTES - size) {
            throw new IndexOutOfBoundsException("user area offset " + offset + " with " + size + " bytes is outside its "
                    + SlotDescriptor.USER_AREA_BYTES + " bytes");
        }
        return SlotDescriptor.USER_AREA_OFFSET + offset;
    }

    @Override
    public String toString() {
        return index < 0 ? "SlotView[unbound]" : "SlotView[" + index + ", token 0x" + Long.toHexString(token) + "]";
    }
}
