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
 * <p>Driver thread only, on the slot the driver is serving (its {@link SlotView}); the pool and
 * the slot's backlog fields are accessed plainly (see {@link ShardDriver}'s notes).
 */
final class WriteBacklog {

    private final ShardDriver driver;
    private final NativeIo io;
    private final ChunkPool pool;
    private final int lowWatermark;
    private final int highWatermark;

    WriteBacklog(ShardDriver driver, NativeIo io, ChunkPool pool, int lowWatermark, int highWatermark) {
        this.driver = driver;
        this.io = io;
        this.pool = pool;
        this.lowWatermark = lowWatermark;
        this.highWatermark = highWatermark;
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
        slot.set(SlotDescriptor.DRIVER_SHUTDOWN_PENDING);
        if (slot.backlogBytes() == 0) {
            finishShutdown(slot);
        }
    }

    private void finishShutdown(SlotView slot) {
        slot.flags((slot.flags() & ~SlotDescriptor.DRIVER_SHUTDOWN_PENDING) | SlotDescriptor.DRIVER_OUTPUT_SHUT);
        int rc = io.shutdown(slot.fd(), SocketNative.SHUT_WRITE);
        if (rc < 0 && rc != -Errno.ENOTCONN.number()) { // ENOTCONN: the peer is gone; the read side tells
            driver.fail(Errors.newException("shutdown to " + driver.describePeer(), rc));
            return;
        }
        driver.closeIfBothEnded(slot);
    }

    /** Drops what is queued (the connection closes). */
    void discard(SlotView slot) {
        pool.freeList(slot.backlogHead());
        slot.backlog(ChunkPool.NONE, ChunkPool.NONE, 0);
    }
}
