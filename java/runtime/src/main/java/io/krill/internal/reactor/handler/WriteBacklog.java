package io.krill.internal.reactor.handler;

import io.krill.internal.jni.Errno;
import io.krill.internal.errno.Errors;
import io.krill.internal.jni.SocketNative;
import io.krill.internal.memory.ChunkPool;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.reactor.SlotDescriptor;
import io.krill.internal.reactor.SlotView;
import io.krill.net.WriteResult;
import java.lang.foreign.MemorySegment;

/**
 * The write side of a shard's connections: writes straight to the socket, the bytes it does not
 * take queued in the shard's {@link ChunkPool} (a chain linked from the slot), sent on writable
 * events, with the server's high and low watermarks for backpressure, and the half-close that
 * waits for the queue ({@code shutdownOutput}: FIN once the queue is empty).
 *
 * <p>With the fused crossing, a small write of a connection with nothing queued is copied into
 * the driver's {@link WriteStaging} instead, and sent with the step's other staged writes by one
 * native call (at the end of each read batch and of the step). What a staged write returns is
 * what the direct send would have returned had the socket taken it all, and it could not have
 * returned otherwise: it is shorter than the high watermark, so whatever the send leaves queued
 * is too. A failure of the later send reaches the handler as onClose's cause. Anything else
 * that must see the bytes in order (a second write that cannot join them, a queued write by
 * token, a shutdown, a close, {@code queuedBytes}) sends them first ({@link #unstage}).
 *
 * <p>Driver thread only, on the slot the driver is serving (its {@link SlotView}); the pool and
 * the slot's backlog fields are accessed plainly (see {@link ShardDriver}'s notes).
 */
final class WriteBacklog {

    private final ShardDriver driver;
    private final NativeIo io;
    private final ChunkPool pool;
    private final int lowWatermark;
    private final int highWatermark;
    /** Small writes wait here for the step's one send call; null on the simple path. */
    private final WriteStaging staging;

    WriteBacklog(ShardDriver driver, NativeIo io, ChunkPool pool, int lowWatermark, int highWatermark, WriteStaging staging) {
        this.driver = driver;
        this.io = io;
        this.pool = pool;
        this.lowWatermark = lowWatermark;
        this.highWatermark = highWatermark;
        this.staging = staging;
    }

    /**
     * Writes {@code data[offset, offset + length)}: as much as the socket takes now, the rest
     * queued.
     *
     * @return what became of the bytes (see {@link WriteResult})
     */
    WriteResult write(SlotView slot, MemorySegment data, long offset, long length) {
        int flags = slot.flags();
        if ((flags & SlotDescriptor.DRIVER_FAILED) != 0) {
            return WriteResult.FAILED; // the error is on its way to onClose
        }
        if ((flags & (SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_CLOSING)) != 0) {
            throw new IllegalStateException("write on a closed connection");
        }
        if ((flags & (SlotDescriptor.DRIVER_SHUTDOWN_PENDING | SlotDescriptor.DRIVER_OUTPUT_SHUT)) != 0) {
            throw new IllegalStateException("write after shutdownOutput()");
        }
        if (length == 0) {
            return (flags & SlotDescriptor.DRIVER_UNWRITABLE) == 0 ? WriteResult.WRITTEN : WriteResult.ABOVE_HIGH_WATERMARK;
        }
        int queued = slot.backlogBytes();
        if (length > Integer.MAX_VALUE - queued) {
            throw new IllegalArgumentException("write of " + length + " bytes: more than 2 GiB would be queued");
        }
        if (staging != null && queued == 0) {
            if ((flags & SlotDescriptor.DRIVER_STAGED) != 0) {
                if (staging.extend(slot.token(), data, offset, (int) length, highWatermark)) {
                    return WriteResult.WRITTEN;
                }
                unstage(slot); // the staged bytes go first; then this write as if nothing were staged
                if (slot.any(SlotDescriptor.DRIVER_FAILED)) {
                    return WriteResult.FAILED;
                }
                queued = slot.backlogBytes();
            } else if (length < highWatermark && (flags & SlotDescriptor.DRIVER_UNWRITABLE) == 0
                    && staging.add(slot.index(), slot.token(), slot.fd(), data, offset, (int) length)) {
                slot.set(SlotDescriptor.DRIVER_STAGED);
                return WriteResult.WRITTEN;
            }
        }
        if (queued == 0 && data.isNative()) {
            int n = io.write(slot.fd(), data.address() + offset, (int) length);
            if (n > 0) {
                driver.wrote();
            }
            if (n == length) {
                return WriteResult.WRITTEN;
            }
            if (n == -Errno.EAGAIN.number()) {
                n = 0;
            } else if (n < 0) {
                driver.fail(Errors.newException("write to " + driver.describePeer(), n));
                return WriteResult.FAILED;
            }
            offset += n;
            length -= n;
        }
        append(slot, data, offset, (int) length);
        if (queued == 0 && !data.isNative()) {
            send(slot); // nothing was tried yet for on-heap bytes: send what the socket takes
        }
        markAtHighWatermark(slot);
        int after = slot.flags();
        if ((after & SlotDescriptor.DRIVER_FAILED) != 0) {
            return WriteResult.FAILED; // the send of on-heap bytes failed: they are dropped with the queue
        }
        return (after & SlotDescriptor.DRIVER_UNWRITABLE) != 0 ? WriteResult.ABOVE_HIGH_WATERMARK : WriteResult.WRITTEN;
    }

    /**
     * Queues {@code data} behind what is queued, without a system call (writes by token: the
     * driver sends each connection's queue once, after taking a batch of them).
     */
    void enqueue(SlotView slot, MemorySegment data) {
        unstage(slot);
        long length = data.byteSize();
        if (length > Integer.MAX_VALUE - slot.backlogBytes()) {
            throw new IllegalArgumentException("write of " + length + " bytes: more than 2 GiB would be queued");
        }
        append(slot, data, 0, (int) length);
        markAtHighWatermark(slot);
    }

    /** The queue reached the high watermark: the connection is unwritable (and not read) until it drains. */
    private void markAtHighWatermark(SlotView slot) {
        if (slot.backlogBytes() >= highWatermark) {
            slot.set(SlotDescriptor.DRIVER_UNWRITABLE);
        }
    }

    private void append(SlotView slot, MemorySegment data, long offset, int length) {
        int head = slot.backlogHead();
        int tail = slot.backlogTail();
        int bytes = slot.backlogBytes() + length;
        while (length > 0) {
            if (tail == ChunkPool.NONE || pool.writable(tail) == 0) {
                int chunk = pool.allocate();
                if (tail == ChunkPool.NONE) {
                    head = chunk;
                } else {
                    pool.link(tail, chunk);
                }
                tail = chunk;
            }
            int n = Math.min(length, pool.writable(tail));
            pool.append(tail, data, offset, n);
            offset += n;
            length -= n;
        }
        slot.backlog(head, tail, bytes);
    }

    /**
     * Sends queued output until the socket is full; sends FIN when a shutdown waited for the
     * queue. No callback: {@link #write} calls it too, from inside one.
     *
     * @return the bytes still queued, or -1 when the connection failed
     */
    int send(SlotView slot) {
        if (slot.any(SlotDescriptor.DRIVER_STAGED)) {
            unstage(slot); // nothing is queued behind staged bytes: they are the queue's front
            if (slot.any(SlotDescriptor.DRIVER_FAILED)) {
                return -1;
            }
        }
        int head = slot.backlogHead();
        int tail = slot.backlogTail();
        int bytes = slot.backlogBytes();
        int fd = slot.fd();
        while (head != ChunkPool.NONE) {
            int pending = pool.readable(head);
            if (pending > 0) {
                int n = io.write(fd, pool.readAddress(head), pending);
                if (n == -Errno.EAGAIN.number()) {
                    break; // an EPOLLOUT edge follows when there is room
                }
                if (n < 0) {
                    slot.backlog(head, tail, bytes);
                    driver.fail(Errors.newException("write to " + driver.describePeer(), n));
                    return -1;
                }
                pool.consume(head, n);
                bytes -= n;
                driver.wrote();
                if (n < pending) {
                    break;
                }
            }
            int next = pool.next(head);
            pool.free(head);
            if (head == tail) {
                head = ChunkPool.NONE;
                tail = ChunkPool.NONE;
            } else {
                head = next;
            }
        }
        slot.backlog(head, tail, bytes);
        if (bytes == 0 && slot.any(SlotDescriptor.DRIVER_SHUTDOWN_PENDING)) {
            finishShutdown(slot);
        }
        return bytes;
    }

    /** Marked unwritable, yet the queue is at the low watermark: onWritable is owed. */
    boolean drainedWhileUnwritable(SlotView slot) {
        return slot.any(SlotDescriptor.DRIVER_UNWRITABLE) && slot.backlogBytes() <= lowWatermark;
    }

    /**
     * After {@link #send} on a writable event: true when the queue fell to the low watermark
     * after reaching the high one (the flag is cleared; the caller owes onWritable).
     */
    boolean becameWritable(SlotView slot, int queuedBytes) {
        if (slot.any(SlotDescriptor.DRIVER_UNWRITABLE) && queuedBytes <= lowWatermark) {
            slot.clear(SlotDescriptor.DRIVER_UNWRITABLE);
            return true;
        }
        return false;
    }

    boolean isWritable(SlotView slot) {
        return !slot.any(SlotDescriptor.DRIVER_UNWRITABLE | SlotDescriptor.DRIVER_FAILED);
    }

    /** Half-close: FIN now if nothing is queued, else once the queue is sent. */
    void shutdownOutput(SlotView slot) {
        if (slot.any(SlotDescriptor.DRIVER_SHUTDOWN_PENDING | SlotDescriptor.DRIVER_OUTPUT_SHUT
                | SlotDescriptor.DRIVER_CLOSE_REQUESTED | SlotDescriptor.DRIVER_CLOSING)) {
            return;
        }
        unstage(slot); // FIN after the staged bytes
        slot.set(SlotDescriptor.DRIVER_SHUTDOWN_PENDING);
        if (slot.backlogBytes() == 0) {
            finishShutdown(slot);
        }
    }

    private void finishShutdown(SlotView slot) {
        int flags = slot.flags();
        slot.flags((flags & ~SlotDescriptor.DRIVER_SHUTDOWN_PENDING) | SlotDescriptor.DRIVER_OUTPUT_SHUT);
        if ((flags & SlotDescriptor.DRIVER_READ_ENDED) != 0) {
            // Both ends done: the close that follows sends the FIN (nothing is left unread, so it
            // is a FIN, not a reset), and the shutdown would be a system call for nothing.
            driver.closeIfBothEnded(slot);
            return;
        }
        int rc = io.shutdown(slot.fd(), SocketNative.SHUT_WRITE);
        if (rc < 0 && rc != -Errno.ENOTCONN.number()) { // ENOTCONN: the peer is gone; the read side tells
            driver.fail(Errors.newException("shutdown to " + driver.describePeer(), rc));
            return;
        }
        driver.closeIfBothEnded(slot);
    }

    /** The bytes queued and not yet sent: the backlog's, after sending any staged ones. */
    int queuedBytes(SlotView slot) {
        unstage(slot);
        return slot.backlogBytes();
    }

    /**
     * Sends {@code slot}'s staged bytes now (one send), before something that must come after
     * them; what the socket does not take is queued as a direct write's rest would be.
     */
    void unstage(SlotView slot) {
        if (!slot.any(SlotDescriptor.DRIVER_STAGED)) {
            return;
        }
        slot.clear(SlotDescriptor.DRIVER_STAGED);
        int op = staging.take(slot.token());
        if (op >= 0) {
            sent(slot, op, io.write(slot.fd(), staging.address(op), staging.length(op)));
        }
    }

    /**
     * Staged operation {@code op} of {@code slot} was sent with result {@code n}: the rest, if
     * any, is queued (an EPOLLOUT edge follows, as after a short direct write); an error fails
     * the connection.
     */
    void sent(SlotView slot, int op, int n) {
        int length = staging.length(op);
        if (n == length) {
            driver.wrote();
            return;
        }
        if (n == -Errno.EAGAIN.number()) {
            n = 0;
        } else if (n < 0) {
            driver.fail(Errors.newException("write to " + driver.describePeer(), n));
            return;
        }
        if (n > 0) {
            driver.wrote();
        }
        append(slot, staging.data(), staging.offset(op) + n, length - n);
        markAtHighWatermark(slot);
    }

    /** Drops what is queued (the connection closes; its staged bytes were sent first, by {@link #unstage}). */
    void discard(SlotView slot) {
        pool.freeList(slot.backlogHead());
        slot.backlog(ChunkPool.NONE, ChunkPool.NONE, 0);
    }
}
